"""Writes of the readiness app. Other apps call `do_open_incident`; nothing else writes here."""

from .drills import (
    do_finish_drill,
    do_record_decision,
    do_show_next_inject,
    do_start_drill,
    do_submit_answer,
)
from .incidents import (
    do_add_evidence,
    do_add_note,
    do_close_incident,
    do_mark_contained,
    do_mark_notified,
    do_open_incident,
    do_set_breach_facts,
    do_set_task_status,
    notify_incident_opened,
)
from .reminders import do_remind_task_owners
from .setup import (
    do_add_contact,
    do_add_improvement,
    do_close_improvement,
    do_remove_contact,
    do_rotate_report_token,
    do_save_adaptation,
    do_set_regimes,
    profile_for,
)
from .staff_reports import REPORT_KINDS, do_report_problem

__all__ = [
    "REPORT_KINDS",
    "do_add_contact",
    "do_add_evidence",
    "do_add_improvement",
    "do_add_note",
    "do_close_improvement",
    "do_close_incident",
    "do_finish_drill",
    "do_mark_contained",
    "do_mark_notified",
    "do_open_incident",
    "do_record_decision",
    "do_remind_task_owners",
    "do_remove_contact",
    "do_report_problem",
    "do_rotate_report_token",
    "do_save_adaptation",
    "do_set_breach_facts",
    "do_set_regimes",
    "do_set_task_status",
    "do_show_next_inject",
    "do_start_drill",
    "do_submit_answer",
    "notify_incident_opened",
    "profile_for",
]
