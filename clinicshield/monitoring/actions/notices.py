"""What follows a new alert: an email to owners and IT (built in mail.py) and a call to the
organisation's webhook, after the transaction that raised it commits. Many new alerts of
one organisation at once share one email (digest_mail.py). A send that fails marks the
alert (email_pending, webhook_pending) and the due jobs monitoring.alert_emails and
monitoring.alert_webhooks try again until it goes or the alert is closed."""

import logging
from collections.abc import Callable, Iterable

from clinicshield.accounts.queries import owner_and_it_emails
from clinicshield.lib import notify

from ..digest_mail import DIGEST_FROM, send_alert_digest
from ..mail import alert_url, send_new_alert
from ..models import Alert
from ..queries import alert_payload, people_names

log = logging.getLogger(__name__)


def notify_new_alert(alert_id: int) -> None:
    """Email owners and IT of the organisation, then call its webhook. Best effort."""
    alert = Alert.objects.select_related("organisation").get(pk=alert_id)
    org = alert.organisation
    to = owner_and_it_emails(org)
    if not to and not org.webhook_url:
        # Nobody to tell: building the link alone loads every URL of the product.
        return
    if to and not _try_alert_email(alert, to, alert_url(alert), people_names(org, {alert.user})):
        Alert.objects.filter(pk=alert.pk).update(email_pending=True)
    if org.webhook_url:
        _call_webhook(alert)


def notify_new_alerts(alert_ids: list[int]) -> None:
    """Tell of new alerts raised together (one detection pass): from ``DIGEST_FROM`` of
    one organisation, one email for all and a webhook call each; fewer, one by one."""
    alerts = list(Alert.objects.filter(pk__in=alert_ids).select_related("organisation"))
    for org_alerts in _per_organisation(alerts).values():
        if len(org_alerts) < DIGEST_FROM:
            for alert in org_alerts:
                notify_new_alert(alert.pk)
            continue
        org = org_alerts[0].organisation
        to = owner_and_it_emails(org)
        if to and not _try_digest_email(org_alerts, to):
            Alert.objects.filter(pk__in=[a.pk for a in org_alerts]).update(email_pending=True)
        if org.webhook_url:
            for alert in org_alerts:
                _call_webhook(alert)


def _per_organisation(alerts: list[Alert]) -> dict[int, list[Alert]]:
    grouped: dict[int, list[Alert]] = {}
    for alert in sorted(alerts, key=lambda alert: alert.pk):
        grouped.setdefault(alert.organisation_id, []).append(alert)
    return grouped


def _try_digest_email(alerts: list[Alert], to: list[str]) -> bool:
    org = alerts[0].organisation
    names = people_names(org, {alert.user for alert in alerts})
    try:
        send_alert_digest(org, alerts, to, names)
    except OSError as error:
        log.warning("digest of %d alerts failed (sent again later): %s", len(alerts), error)
        return False
    return True


def _call_webhook(alert: Alert) -> None:
    if not _webhook_sent(alert):
        Alert.objects.filter(pk=alert.pk).update(webhook_pending=True)


def _webhook_sent(alert: Alert) -> bool:
    """Post the alert to its organisation's webhook; whether the receiver took it."""
    names = people_names(alert.organisation, {alert.user})
    payload = {**alert_payload(alert, "en", names), "url": alert_url(alert)}
    return notify.send_webhook(alert.organisation, "monitoring.alert_raised", payload)


def _try_alert_email(alert: Alert, to: list[str], url: str, names: dict[str, str]) -> bool:
    try:
        send_new_alert(alert, to, url, names)
    except OSError as error:
        log.warning("alert %s email failed (sent again later): %s", alert.pk, error)
        return False
    return True


def retry_alert_emails() -> tuple[int, int]:
    """Send the new-alert emails that failed, for alerts still open or acknowledged.

    Returns (sent, still failing), counted in alerts. An alert closed meanwhile needs no
    email any more. From ``DIGEST_FROM`` pending alerts of one organisation, they go in
    one email, as when they were raised."""
    digest_sent, digest_failing, digested = _retry_digests()

    def attempt(alert: Alert) -> bool | None:
        to = owner_and_it_emails(alert.organisation)
        if not to:
            return None
        names = people_names(alert.organisation, {alert.user})
        return _try_alert_email(alert, to, alert_url(alert), names)

    sent, failing = _retry_pending("email_pending", attempt, skip=digested)
    return sent + digest_sent, failing + digest_failing


def _retry_digests() -> tuple[int, int, set[int]]:
    """The pending emails of organisations with ``DIGEST_FROM`` or more, as digests;
    returns (sent, still failing, the alerts dealt with here)."""
    sent = failing = 0
    digested: set[int] = set()
    pending = Alert.objects.filter(email_pending=True).select_related("organisation")
    active = [alert for alert in pending if alert.is_active]
    for org_alerts in _per_organisation(active).values():
        to = owner_and_it_emails(org_alerts[0].organisation)
        if len(org_alerts) < DIGEST_FROM or not to:
            continue  # one by one below (or nothing to send: cleared there)
        digested.update(alert.pk for alert in org_alerts)
        if _try_digest_email(org_alerts, to):
            Alert.objects.filter(pk__in=[a.pk for a in org_alerts]).update(email_pending=False)
            sent += len(org_alerts)
        else:
            failing += len(org_alerts)
    return sent, failing, digested


def retry_alert_webhooks() -> tuple[int, int]:
    """Call the webhook again for new alerts whose call failed, while they are open or
    acknowledged and the organisation still has a webhook. Returns (sent, still failing)."""

    def attempt(alert: Alert) -> bool | None:
        return _webhook_sent(alert) if alert.organisation.webhook_url else None

    return _retry_pending("webhook_pending", attempt)


def _retry_pending(
    flag: str, attempt: Callable[[Alert], bool | None], skip: Iterable[int] = ()
) -> tuple[int, int]:
    """Try again each alert marked ``flag`` but those in ``skip``; ``attempt`` says sent
    (True), failed again (False) or nothing to send any more (None). Closed alerts need
    nothing."""
    sent = failing = 0
    pending = Alert.objects.filter(**{flag: True}).exclude(pk__in=list(skip))
    pending = pending.select_related("organisation")
    for alert in pending.order_by("pk"):
        outcome = attempt(alert) if alert.is_active else None
        if outcome is False:
            failing += 1
            continue
        if outcome:
            sent += 1
        Alert.objects.filter(pk=alert.pk).update(**{flag: False})
    return sent, failing
