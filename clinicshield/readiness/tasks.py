"""Background jobs of the readiness app: thin, they take ids and call actions."""

from huey.contrib.djhuey import db_task

from .actions import notify_incident_opened


@db_task()
def notify_incident_opened_task(incident_id: int, details: str = "") -> None:
    # Out of the request: a slow mail server must not keep a worried member of staff waiting.
    notify_incident_opened(incident_id, details)
