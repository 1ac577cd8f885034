"""Recording what recipients do with a simulation: opens, clicks, submits, copies, runs.

Every event is stored. Only verified ones (see core.scanners) move the
recipient's status, and the move is one conditional UPDATE ("set clicked where
the status is still below clicked"), so concurrent events can neither lose a
step nor move anyone backwards. A recipient who newly fails is enrolled in the
matching training module and a signed webhook goes out, after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from ..core.scanners import EventSignals, classify_event
from ..core.status import LADDERS, advance, is_failure
from ..core.tokens import is_well_formed_token
from ..models import Recipient, TrackingEvent

TIMESTAMP_FIELDS = {
    "opened": "opened_at",
    "clicked": "clicked_at",
    "submitted": "submitted_at",
    "copied": "copied_at",
    "executed": "executed_at",
}


@dataclass(frozen=True)
class Request:
    method: str = "GET"
    user_agent: str = ""
    ip: str | None = None
    human_proof: bool = False


def min_human_seconds() -> float:
    return float(getattr(settings, "SIMULATIONS_MIN_HUMAN_SECONDS", 10))


def find_recipient(token: str) -> Recipient | None:
    if not is_well_formed_token(token):
        return None
    try:
        return Recipient.objects.select_related("campaign", "campaign__organisation").get(
            token=token
        )
    except Recipient.DoesNotExist:
        return None


def do_record_event(
    recipient: Recipient, event: str, request: Request, now: datetime
) -> TrackingEvent | None:
    """Store the event; move the status forward when a person did it. None if refused."""
    campaign = recipient.campaign
    if event not in LADDERS[campaign.kind]:
        return None
    verdict = classify_event(
        EventSignals(
            event=event,
            method=request.method,
            user_agent=request.user_agent,
            delivered_at=recipient.sent_at,
            at=now,
            human_proof=request.human_proof,
        ),
        min_human_seconds=min_human_seconds(),
    )
    with transaction.atomic():
        stored = TrackingEvent.objects.create(
            recipient=recipient,
            event=event,
            verified=verdict.verified,
            reasons=",".join(verdict.reasons),
            user_agent=request.user_agent[:300],
            ip=request.ip,
            at=now,
        )
        if verdict.verified:
            _move_forward(recipient, event, now)
    return stored


def _move_forward(recipient: Recipient, event: str, now: datetime) -> None:
    from .. import tasks  # tasks import actions: import late to avoid a cycle

    kind = recipient.campaign.kind
    ladder = LADDERS[kind]
    below = list(ladder[: ladder.index(event)])
    stamp = TIMESTAMP_FIELDS[event]
    # Conditional UPDATEs, so concurrent events can neither lose a step nor move anyone
    # back: the status only climbs, the stamp keeps the first time. Usually one statement.
    moved = Recipient.objects.filter(pk=recipient.pk, status__in=below).update(
        status=event, **{stamp: Coalesce(F(stamp), Value(now))}
    )
    if not moved:
        Recipient.objects.filter(pk=recipient.pk, **{f"{stamp}__isnull": True}).update(
            **{stamp: now}
        )
        return
    recipient.status = advance(recipient.status, event, kind).status
    recipient_id = recipient.pk
    if is_failure(event):
        transaction.on_commit(lambda: tasks.enrol_task(recipient_id, event))
    org = recipient.campaign.organisation
    if org.webhook_url:
        payload: dict[str, Any] = {
            "campaign": recipient.campaign_id,
            "recipient": recipient_id,
            "status": event,
            "at": now.isoformat(),
        }
        org_id = org.pk
        transaction.on_commit(lambda: tasks.webhook_task(org_id, f"simulation.{event}", payload))
