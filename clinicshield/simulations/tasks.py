"""Background jobs of the simulations app (Huey): thin, take ids, call actions.

Tracking endpoints only write hits down; the fold that turns them into events runs
here (asked for by the hits themselves, and every minute as a due job), and so does
what follows a failure: enrolment in training, which emails the person, and the
webhook, which calls out.
"""

from typing import Any

from huey.contrib.djhuey import db_task

from clinicshield.accounts.models import Organisation
from clinicshield.lib import notify

from .actions.enrolment import enrol_after_failure
from .actions.folding import do_fold_hits


@db_task()
def enrol_task(recipient_id: int, event: str) -> None:
    # Kept for tasks queued before the fold (enrol_many_task) existed.
    enrol_after_failure(recipient_id, event)


@db_task()
def enrol_many_task(failures: list[tuple[int, str]]) -> None:
    """One task per folded batch, not per person: a burst makes a handful of tasks."""
    for recipient_id, event in failures:
        enrol_after_failure(recipient_id, event)


# Ahead of the enrolments a burst queues: results wait on the fold, not the other way.
@db_task(priority=10)
def fold_hits_task() -> None:
    do_fold_hits()


@db_task()
def webhook_task(org_id: int, event: str, payload: dict[str, Any]) -> None:
    org = Organisation.objects.filter(pk=org_id).first()
    if org is not None:
        notify.send_webhook(org, event, payload)
