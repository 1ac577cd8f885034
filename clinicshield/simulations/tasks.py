"""Background jobs of the simulations app (Huey): thin, take ids, call actions.

Tracking endpoints answer in milliseconds; what follows a failure (enrolment in
training, which emails the person, and the webhook, which calls out) runs here.
"""

from typing import Any

from huey.contrib.djhuey import db_task

from clinicshield.accounts.models import Organisation
from clinicshield.lib import notify

from .actions.enrolment import enrol_after_failure


@db_task()
def enrol_task(recipient_id: int, event: str) -> None:
    enrol_after_failure(recipient_id, event)


@db_task()
def webhook_task(org_id: int, event: str, payload: dict[str, Any]) -> None:
    org = Organisation.objects.filter(pk=org_id).first()
    if org is not None:
        notify.send_webhook(org, event, payload)
