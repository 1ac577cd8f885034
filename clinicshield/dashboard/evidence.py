"""The compliance evidence pack: a ZIP with a PDF and CSV files mapping what ClinicShield does
to HIPAA, GDPR art. 32 and the HHS 405(d) HICP practices, with what is covered and missing."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime, timedelta
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicshield.accounts.models import Organisation
from clinicshield.lib.pdf import html_to_pdf

from .actions import local_day
from .core.compliance import (
    COVERED,
    MISSING,
    PARTIAL,
    RequirementStatus,
    activity_status,
    assess,
)
from .core.score import Score
from .measure import compute_scores
from .models import MonthlyReport, ScoreSnapshot
from .present import COMPONENT_LABELS, evidence_sentence

# What each requirement asks, in our own words.
ASKS = {
    "hipaa_308a1": gettext_lazy(
        "Security management process: analyse the risks to patient data, reduce them, and "
        "review system activity regularly."
    ),
    "hipaa_308a5": gettext_lazy(
        "Security awareness and training for all staff, including reminders, protection from "
        "malicious software, log-in monitoring and password management."
    ),
    "hipaa_308a6": gettext_lazy(
        "Security incident procedures: identify and respond to incidents, limit their harm "
        "and document them."
    ),
    "hipaa_312b": gettext_lazy(
        "Audit controls: record and examine activity in systems that hold patient data."
    ),
    "gdpr_32_1b": gettext_lazy(
        "Ensure the ongoing confidentiality, integrity and availability of systems."
    ),
    "gdpr_32_1d": gettext_lazy(
        "Regularly test, assess and evaluate how effective the security measures are."
    ),
    "gdpr_32_4": gettext_lazy("Staff who handle personal data act only on instructions."),
    "hicp_1": gettext_lazy("Email protection systems"),
    "hicp_2": gettext_lazy("Endpoint protection systems"),
    "hicp_3": gettext_lazy("Access management"),
    "hicp_4": gettext_lazy("Data protection and loss prevention"),
    "hicp_5": gettext_lazy("Asset management"),
    "hicp_6": gettext_lazy("Network management"),
    "hicp_7": gettext_lazy("Vulnerability management"),
    "hicp_8": gettext_lazy("Security operations center and incident response"),
    "hicp_9": gettext_lazy("Network-connected medical devices"),
    "hicp_10": gettext_lazy("Cybersecurity oversight and governance"),
}
ACTIVITY_LABELS = {**COMPONENT_LABELS, "reports": gettext_lazy("Score history and reports")}
OUTSIDE = {
    "mail_filtering": gettext_lazy(
        "Email filtering (spam and malware gateway, SPF, DKIM, DMARC) is outside ClinicShield: "
        "keep your email provider's evidence."
    ),
    "endpoint_tools": gettext_lazy(
        "Antivirus or EDR and patching of computers are outside ClinicShield: ClinicShield "
        "only detects ClickFix-style commands."
    ),
    "identity_controls": gettext_lazy(
        "Two-step sign-in on the clinic's own systems and account reviews are outside "
        "ClinicShield: ClinicShield watches the sign-ins."
    ),
    "encryption_backups": gettext_lazy(
        "Encryption and tested backups are outside ClinicShield: ClinicShield watches for "
        "large data transfers only."
    ),
    "asset_register": gettext_lazy(
        "A full register of devices and software is outside ClinicShield: scans list what "
        "answers on the network."
    ),
    "patching": gettext_lazy("Installing updates is outside ClinicShield."),
    "device_inventory": gettext_lazy(
        "Medical device inventories and vendor patching are outside ClinicShield: scans and "
        "separation tests cover the network side."
    ),
}
# The regulations' names as a Spanish reader knows them (GDPR is the RGPD in Spain).
FRAMEWORK_LABELS = {
    "HIPAA": gettext_lazy("HIPAA"),
    "GDPR": gettext_lazy("GDPR"),
    "HICP": gettext_lazy("HICP"),
}
STATUS_WORDS = {
    COVERED: gettext_lazy("Covered"),
    PARTIAL: gettext_lazy("Partly covered"),
    MISSING: gettext_lazy("Missing"),
}


def reports_status(org: Organisation, now: datetime) -> tuple[str, int]:
    """Governance evidence: days of score history kept over the last 90 days."""
    since = local_day(org, now) - timedelta(days=90)
    days = ScoreSnapshot.objects.filter(organisation=org, site__isnull=True, day__gt=since).count()
    return (COVERED if days >= 60 else PARTIAL if days else MISSING), days


def reference_label(reference: str) -> str:
    """The requirement's reference for the reader: the identifiers stay, the words around
    them ("art.", "practice") are translated."""
    if reference.startswith("GDPR art. "):
        return _("GDPR art. %(article)s") % {"article": reference.removeprefix("GDPR art. ")}
    if reference.startswith("405(d) HICP practice "):
        number = reference.removeprefix("405(d) HICP practice ")
        return _("405(d) HICP practice %(number)s") % {"number": number}
    return reference


def _gap_sentence(code: str, states: dict[str, str]) -> str:
    if code in OUTSIDE:
        return str(OUTSIDE[code])
    label = ACTIVITY_LABELS[code]
    if states.get(code) == PARTIAL:
        return _("%(activity)s: in place but below half its points.") % {"activity": label}
    return _("%(activity)s: not set up.") % {"activity": label}


def requirement_rows(org: Organisation, score: Score, now: datetime) -> list[dict[str, Any]]:
    states = {c.key: activity_status(c.status, c.points, c.weight) for c in score.components}
    states["reports"], days = reports_status(org, now)
    evidence = {c.key: evidence_sentence(c) for c in score.components}
    evidence["reports"] = _("%(days)d days of score history kept in the last 90 days.") % {
        "days": days
    }
    return [_row(status, states, evidence) for status in assess(states)]


def _row(status: RequirementStatus, states: dict[str, str], evidence: dict[str, str]) -> dict:
    requirement = status.requirement
    return {
        "framework": str(FRAMEWORK_LABELS.get(requirement.framework, requirement.framework)),
        "reference": reference_label(requirement.reference),
        "asks": str(ASKS[requirement.code]),
        "status": status.status,
        "status_label": str(STATUS_WORDS[status.status]),
        "activities": [
            {
                "label": str(ACTIVITY_LABELS[a]),
                "status": state,
                "status_label": str(STATUS_WORDS[state]),
                "evidence": evidence[a],
            }
            for a, state in status.activities
        ],
        "missing": [_gap_sentence(code, states) for code in status.gaps],
    }


def _csv(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def compliance_csv(rows: list[dict[str, Any]]) -> str:
    lines: list[list[Any]] = [
        ["framework", "reference", "requirement", "status", "activity", "activity_status",
         "evidence", "missing"]
    ]  # fmt: skip
    for row in rows:
        for activity in row["activities"]:
            lines.append(
                [row["framework"], row["reference"], row["asks"], row["status"],
                 activity["label"], activity["status"], activity["evidence"],
                 " | ".join(row["missing"])]
            )  # fmt: skip
    return _csv(lines)


def history_csv(org: Organisation) -> str:
    lines: list[list[Any]] = [["day", "total", "training", "simulations", "exposure",
                               "monitoring", "drills", "protocols"]]  # fmt: skip
    snapshots = ScoreSnapshot.objects.filter(organisation=org, site__isnull=True).order_by("day")
    for s in snapshots.values_list("day", "total", "points"):
        day, total, points = s
        lines.append([day.isoformat(), total, *(points.get(k, "") for k in lines[0][2:])])
    return _csv(lines)


def reports_csv(org: Organisation) -> str:
    """The monthly reports sent: when, and to whom (governance evidence)."""
    lines: list[list[Any]] = [["month", "sent_at", "recipients"]]
    for month, sent_at, recipients in (
        MonthlyReport.objects.filter(organisation=org)
        .order_by("month")
        .values_list("month", "sent_at", "recipients")
    ):
        lines.append([month, sent_at.isoformat(), " ".join(recipients)])
    return _csv(lines)


def evidence_pack(org: Organisation, now: datetime, lang: str) -> bytes:
    """evidence.pdf, compliance.csv, score-history.csv and reports-sent.csv, zipped."""
    with translation.override(lang):
        score = compute_scores(org, now).org
        rows = requirement_rows(org, score, now)
        html = render_to_string(
            "dashboard/evidence.html",
            {"org": org, "rows": rows, "score": score, "generated_at": now, "lang": lang},
        )
        compliance = compliance_csv(rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as pack:
        pack.writestr("evidence.pdf", html_to_pdf(html))
        pack.writestr("compliance.csv", compliance)
        pack.writestr("score-history.csv", history_csv(org))
        pack.writestr("reports-sent.csv", reports_csv(org))
    return buffer.getvalue()
