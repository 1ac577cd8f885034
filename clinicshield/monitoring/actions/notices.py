"""What follows a new alert: an email to owners and IT (built in mail.py) and a call to the
organisation's webhook, after the transaction that raised it commits. A send that fails
marks the alert (email_pending, webhook_pending) and the due jobs monitoring.alert_emails
and monitoring.alert_webhooks try again until it goes or the alert is closed."""

import logging
from collections.abc import Callable

from clinicshield.lib import notify

from ..mail import alert_url, recipients, send_new_alert
from ..models import Alert
from ..queries import alert_payload, people_names

log = logging.getLogger(__name__)


def notify_new_alert(alert_id: int) -> None:
    """Email owners and IT of the organisation, then call its webhook. Best effort."""
    alert = Alert.objects.select_related("organisation").get(pk=alert_id)
    org = alert.organisation
    to = recipients(org)
    if not to and not org.webhook_url:
        # Nobody to tell: building the link alone loads every URL of the product.
        return
    url = alert_url(alert)
    names = people_names(org, {alert.user})
    payload = {**alert_payload(alert, "en", names), "url": url}
    if to and not _try_alert_email(alert, to, url, names):
        Alert.objects.filter(pk=alert.pk).update(email_pending=True)
    if org.webhook_url and not notify.send_webhook(org, "monitoring.alert_raised", payload):
        Alert.objects.filter(pk=alert.pk).update(webhook_pending=True)


def _try_alert_email(alert: Alert, to: list[str], url: str, names: dict[str, str]) -> bool:
    try:
        send_new_alert(alert, to, url, names)
    except OSError as error:
        log.warning("alert %s email failed (sent again later): %s", alert.pk, error)
        return False
    return True


def retry_alert_emails() -> tuple[int, int]:
    """Send the new-alert emails that failed, for alerts still open or acknowledged.

    Returns (sent, still failing). An alert closed meanwhile needs no email any more."""

    def attempt(alert: Alert) -> bool | None:
        to = recipients(alert.organisation)
        if not to:
            return None
        names = people_names(alert.organisation, {alert.user})
        return _try_alert_email(alert, to, alert_url(alert), names)

    return _retry_pending("email_pending", attempt)


def retry_alert_webhooks() -> tuple[int, int]:
    """Call the webhook again for new alerts whose call failed, while they are open or
    acknowledged and the organisation still has a webhook. Returns (sent, still failing)."""

    def attempt(alert: Alert) -> bool | None:
        org = alert.organisation
        if not org.webhook_url:
            return None
        names = people_names(org, {alert.user})
        payload = {**alert_payload(alert, "en", names), "url": alert_url(alert)}
        return notify.send_webhook(org, "monitoring.alert_raised", payload)

    return _retry_pending("webhook_pending", attempt)


def _retry_pending(flag: str, attempt: Callable[[Alert], bool | None]) -> tuple[int, int]:
    """Try again each alert marked ``flag``; ``attempt`` says sent (True), failed again
    (False) or nothing to send any more (None). Closed alerts need nothing."""
    sent = failing = 0
    pending = Alert.objects.filter(**{flag: True}).select_related("organisation")
    for alert in pending.order_by("pk"):
        outcome = attempt(alert) if alert.is_active else None
        if outcome is False:
            failing += 1
            continue
        if outcome:
            sent += 1
        Alert.objects.filter(pk=alert.pk).update(**{flag: False})
    return sent, failing
