"""Core's codes in words, for pages, emails and PDFs: the notification clocks, their states,
levels and legal regimes."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

from .core.clock import Deadline

CLOCK_LABELS = {
    "gdpr_authority": _("Notify the data protection authority (AEPD in Spain)"),
    "gdpr_individuals": _("Tell the people affected (high risk)"),
    "hipaa_individuals": _("HIPAA: notify individuals"),
    "hipaa_hhs": _("HIPAA: notify HHS"),
    "hipaa_media": _("HIPAA: notify prominent media"),
    "nis2_early_warning": _("NIS2: early warning to the CSIRT"),
    "nis2_notification": _("NIS2: incident notification"),
    "nis2_final_report": _("NIS2: final report"),
}
STATE_LABELS = {
    "open": _("open"),
    "due_soon": _("due soon"),
    "overdue": _("overdue"),
    "done": _("done"),
    "asap": _("without undue delay"),
}
LEVEL_LABELS = {"strong": _("Strong"), "adequate": _("Adequate"), "gap": _("Gap")}
REGIME_LABELS = {
    "gdpr": _("GDPR (EU, Spain: AEPD)"),
    "hipaa": _("HIPAA (United States)"),
    "nis2": _("NIS2 (essential or important entities)"),
}


def format_remaining(remaining: timedelta | None) -> str:
    """ "2 d 4 h", "5 h 12 min", "-1 h 3 min" for overdue."""
    if remaining is None:
        return ""
    sign = "-" if remaining < timedelta(0) else ""
    minutes = int(abs(remaining).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{sign}{days} d {hours} h"
    return f"{sign}{hours} h {minutes} min"


@dataclass
class DeadlineRow:
    code: str
    label: Any
    basis: str
    due_at: Any
    remaining: str
    state: str
    state_label: Any
    assumed: bool
    counted_from: str
    counted_from_at: Any


def deadline_rows(deadlines: list[Deadline]) -> list[DeadlineRow]:
    return [
        DeadlineRow(
            code=d.code,
            label=CLOCK_LABELS.get(d.code, d.code),
            basis=d.basis,
            due_at=d.due_at,
            remaining=format_remaining(d.remaining),
            state=d.state,
            state_label=STATE_LABELS[d.state],
            assumed=d.assumed,
            counted_from=d.counted_from,
            counted_from_at=d.counted_from_at,
        )
        for d in deadlines
    ]
