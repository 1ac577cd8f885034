"""Folding hits into a recipient's state: judge each hit, then climb the ladder.

The request path only writes hits down; this is where they are judged, with the same
rules as always (core.scanners), against what is known at fold time (the delivery
time of the email, which a hit that raced the sender's commit could not see). A
recipient's status only climbs, and each event's time is the earliest seen, so the
order in which hits reach the fold changes neither; the fold still takes a batch's
hits oldest first, so the status moves (and their webhooks) come in the order they
happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .hits import Hit
from .scanners import Classification, EventSignals, classify_event
from .status import LADDERS, advance


@dataclass
class RecipientState:
    kind: str  # the campaign's kind: which ladder
    status: str
    delivered_at: datetime | None
    first_seen: dict[str, datetime | None] = field(default_factory=dict)  # event -> time


@dataclass(frozen=True)
class Move:
    """A person moved the recipient up the ladder: enrol if a failure, send the webhook."""

    event: str
    at: datetime


def judge(hit: Hit, delivered_at: datetime | None, min_human_seconds: float) -> Classification:
    return classify_event(
        EventSignals(
            event=hit.event,
            method=hit.method,
            user_agent=hit.user_agent,
            delivered_at=delivered_at,
            at=hit.at,
            human_proof=hit.human_proof,
        ),
        min_human_seconds=min_human_seconds,
    )


def belongs(hit: Hit, kind: str) -> bool:
    """A hit whose event is no rung of the campaign's ladder (a copy on a phishing
    campaign) is refused, as it always was: nothing is stored for it."""
    return hit.event in LADDERS.get(kind, ()) and hit.event not in ("pending", "sent")


def apply_verified(state: RecipientState, event: str, at: datetime) -> Move | None:
    """Record a verified event on `state`; the Move when the status climbed."""
    seen = state.first_seen.get(event)
    if seen is None or at < seen:
        state.first_seen[event] = at
    transition = advance(state.status, event, state.kind)
    if not transition.moved:
        return None
    state.status = transition.status
    return Move(event, at)
