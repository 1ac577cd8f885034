"""Periodic training jobs. Each is a function of `now` and safe to run again for the same
moment: assignments are not duplicated and each reminder is sent once."""

from datetime import datetime

from clinicshield.lib.due import due_job

from . import actions


@due_job("training.assign", minute="0")
def assign_onboarding_and_refreshes(now: datetime) -> str:
    created = actions.do_assign_onboarding_and_refreshes(now)
    return f"{created['onboarding']} onboarding, {created['refresh']} refresh assignments"


@due_job("training.remind", minute="10")
def send_reminders(now: datetime) -> str:
    return f"reminded {actions.do_send_reminders(now)} people"


@due_job("training.escalate", minute="20")
def escalate_overdue(now: datetime) -> str:
    return f"escalated {actions.do_escalate_overdue(now)} overdue assignments"
