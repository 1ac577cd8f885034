"""The dashboard's sentences: the score, its areas and actions (score.py), the compliance
evidence (compliance.py)."""

from .compliance import (
    ACTIVITY_LABELS,
    ASKS,
    FRAMEWORK_LABELS,
    OUTSIDE,
    STATUS_WORDS,
    gap_sentence,
    reference_label,
    reports_evidence,
)
from .score import (
    COMPONENT_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    action_link,
    action_row,
    action_sentence,
    component_row,
    evidence_sentence,
    percent,
    score_report,
    summary_sentence,
)

__all__ = [
    "ACTIVITY_LABELS",
    "ASKS",
    "COMPONENT_LABELS",
    "FRAMEWORK_LABELS",
    "OUTSIDE",
    "SEVERITY_LABELS",
    "STATUS_LABELS",
    "STATUS_WORDS",
    "action_link",
    "action_row",
    "action_sentence",
    "component_row",
    "evidence_sentence",
    "gap_sentence",
    "percent",
    "reference_label",
    "reports_evidence",
    "score_report",
    "summary_sentence",
]
