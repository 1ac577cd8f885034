"""The dashboard's documents, rendered with clinicshield.lib.pdf: the monthly report
(report.py) and the compliance evidence pack, a ZIP of a PDF and CSV files (evidence.py)."""

from .evidence import evidence_pack
from .report import monthly_report_pdf, report_context

__all__ = ["evidence_pack", "monthly_report_pdf", "report_context"]
