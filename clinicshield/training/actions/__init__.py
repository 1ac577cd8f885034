"""Writes of the training app. Other apps call `do_assign_module`; nothing else here is an
interface between apps."""

from .assign import do_assign_module, do_assign_onboarding_and_refreshes, split_reason
from .manage import do_save_custom_module, do_set_module_enabled, do_set_pass_mark
from .quiz import do_submit_quiz, parse_answers
from .reminders import do_escalate_overdue, do_send_reminders, send_assignment_notice

__all__ = [
    "do_assign_module",
    "do_assign_onboarding_and_refreshes",
    "do_escalate_overdue",
    "do_save_custom_module",
    "do_send_reminders",
    "do_set_module_enabled",
    "do_set_pass_mark",
    "do_submit_quiz",
    "parse_answers",
    "send_assignment_notice",
    "split_reason",
]
