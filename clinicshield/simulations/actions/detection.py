"""Monitoring caught a ClickFix run: was it one of our drills?

Monitoring calls `do_attribute_clickfix_detection` before raising a ClickFix
alert. When the command line carries the token of a live simulation of the same
organisation, the detection is a successful drill, recorded on the campaign,
and monitoring does not raise a real incident.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F

from clinicshield.accounts.models import Organisation

from ..core.tokens import find_tokens
from ..models import Campaign, Recipient, TrackingEvent

# A campaign's tokens stay "live" for this long after its last email went out.
LIVE_FOR = timedelta(days=30)


def do_attribute_clickfix_detection(org: Organisation, command_line: str, ts: datetime) -> bool:
    tokens = find_tokens(command_line)
    if not tokens:
        return False
    recipient = (
        Recipient.objects.select_related("campaign")
        .filter(
            token__in=tokens,
            campaign__organisation=org,
            campaign__kind="clickfix",
            campaign__state__in=("sending", "finished"),
        )
        .first()
    )
    if recipient is None:
        return False
    campaign = recipient.campaign
    if campaign.finished_at and ts > campaign.finished_at + LIVE_FOR:
        return False
    with transaction.atomic():
        # Several rules may fire on one run (RunMRU write, browser launch): count it once.
        if not TrackingEvent.objects.filter(recipient=recipient, event="detected").exists():
            TrackingEvent.objects.create(
                recipient=recipient, event="detected", verified=True, reasons="monitoring", at=ts
            )
            Campaign.objects.filter(pk=campaign.pk).update(detections=F("detections") + 1)
    return True
