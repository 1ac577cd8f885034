"""The readiness app's PDFs: the poster with the report page's QR code, a drill's after-action
report. Rendered by clinicshield.lib.pdf (nothing fetched but our own static files)."""

from typing import Any

from clinicshield.lib.pdf import render_pdf


def poster_pdf(context: dict[str, Any]) -> bytes:
    return render_pdf("readiness/poster.html", context)


def after_action_pdf(context: dict[str, Any], time_zone: str) -> bytes:
    """Times in `time_zone`: the clinic's, on paper."""
    return render_pdf("readiness/drill_report_pdf.html", context, time_zone=time_zone)
