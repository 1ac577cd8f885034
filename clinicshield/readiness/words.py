"""Codes in words, for pages, emails and PDFs: the notification clocks, their states, levels,
legal regimes, and the notices on an incident's timeline."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .core.clock import Deadline
from .models import IncidentTask

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


# Timeline notices: code -> sentence, filled with the entry's params (see TimelineEntry). The
# ones of punctuation only need no translation: their params are put into words.
TIMELINE_SENTENCES: dict[str, Any] = {
    "opened": _("Incident opened."),
    "contained": _("Incident contained."),
    "closed": _("Incident closed after review."),
    "facts_updated": _("Breach facts updated (aware since %(aware_at)s)."),
    "facts_cleared": _("Breach facts updated (no breach known)."),
    "notified": "%(clock)s",
    "notified_reference": "%(clock)s: %(reference)s",
    "task_status": "%(title)s: %(status)s",
    "task_status_owner": "%(title)s: %(status)s (%(owner)s)",
    "email_sent": _("Email sent to %(sent)s of %(total)s: %(addresses)s"),
    "email_failed": _("Email to %(address)s failed: %(error)s"),
    "webhook_accepted": _("Webhook accepted."),
    "webhook_failed": _("Webhook failed."),
}
TASK_STATUS_LABELS = dict(IncidentTask.STATUSES)


def _in_words(params: dict[str, Any]) -> dict[str, Any]:
    """Params that are codes or times, in the reader's words and on their clock."""
    shown = dict(params)
    if "clock" in shown:
        shown["clock"] = CLOCK_LABELS.get(shown["clock"], shown["clock"])
    if "status" in shown:
        shown["status"] = TASK_STATUS_LABELS.get(shown["status"], shown["status"])
    if "aware_at" in shown:
        moment = timezone.localtime(datetime.fromisoformat(shown["aware_at"]))
        shown["aware_at"] = date_format(moment, "SHORT_DATETIME_FORMAT")
    return shown


def timeline_sentence(code: str, params: dict[str, Any], text: str) -> str:
    """A timeline entry in the active language: its notice in words, or its text (what people
    wrote, and entries from before notices had codes)."""
    sentence = TIMELINE_SENTENCES.get(code)
    if sentence is None:
        return text
    try:
        return str(sentence) % _in_words(params)
    except (KeyError, TypeError, ValueError):  # params of another shape: the stored words
        return text
