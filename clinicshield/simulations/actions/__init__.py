"""Writes of the simulations app. Other apps call these; they never write our models."""

from .campaigns import do_create_campaign, do_launch_campaign, do_save_org_template
from .detection import do_attribute_clickfix_detection
from .enrolment import enrol_after_failure
from .folding import FoldSummary, do_fold_hits, unfolded_bytes
from .reports import (
    do_answer_reporter,
    do_decide_triage,
    do_handle_report,
    do_poll_report_mailbox,
    do_set_report_mailbox,
)
from .sending import do_send_due
from .tracking import do_record_hit, token_is_known

__all__ = [
    "FoldSummary",
    "do_answer_reporter",
    "do_attribute_clickfix_detection",
    "do_create_campaign",
    "do_decide_triage",
    "do_handle_report",
    "do_launch_campaign",
    "do_poll_report_mailbox",
    "do_fold_hits",
    "do_record_hit",
    "do_save_org_template",
    "do_send_due",
    "do_set_report_mailbox",
    "enrol_after_failure",
    "token_is_known",
    "unfolded_bytes",
]
