"""Recipient status: a ladder that only moves forward.

Phishing campaigns climb sent -> opened -> clicked -> submitted; ClickFix campaigns
climb sent -> opened -> clicked -> copied -> executed. A later event may skip rungs
(an image blocker hides the open; a click proves the email was opened), but an
earlier or repeated event never moves a recipient back. "Reported" is not a rung:
someone can click and then report, and both facts count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CampaignKind = Literal["phishing", "clickfix"]

PENDING = "pending"
SENT = "sent"
OPENED = "opened"
CLICKED = "clicked"
SUBMITTED = "submitted"
COPIED = "copied"
EXECUTED = "executed"
REPORTED = "reported"

LADDERS: dict[str, tuple[str, ...]] = {
    "phishing": (PENDING, SENT, OPENED, CLICKED, SUBMITTED),
    "clickfix": (PENDING, SENT, OPENED, CLICKED, COPIED, EXECUTED),
}
ALL_STATUSES: tuple[str, ...] = (PENDING, SENT, OPENED, CLICKED, SUBMITTED, COPIED, EXECUTED)
EVENT_KINDS: tuple[str, ...] = (SENT, OPENED, CLICKED, SUBMITTED, COPIED, EXECUTED, REPORTED)
# Statuses that count as falling for the lure (and enrol the person in training).
FAILURE_STATUSES = frozenset({CLICKED, SUBMITTED, COPIED, EXECUTED})


@dataclass(frozen=True)
class Transition:
    status: str
    moved: bool
    refused: str = ""  # a reason code when the event does not belong to this campaign kind


def rank(status: str, kind: str) -> int:
    return LADDERS[kind].index(status)


def advance(current: str, event: str, kind: str) -> Transition:
    """The status after `event`, never lower than `current`."""
    ladder = LADDERS.get(kind)
    if ladder is None:
        return Transition(current, False, "unknown_campaign_kind")
    if event == REPORTED:
        return Transition(current, False)
    if event not in ladder or event == PENDING:
        return Transition(current, False, "event_not_in_campaign_kind")
    if current not in ladder:
        return Transition(current, False, "unknown_current_status")
    if ladder.index(event) > ladder.index(current):
        return Transition(event, True)
    return Transition(current, False)


def reached(status: str, stage: str, kind: str) -> bool:
    """True when a recipient at `status` has gone at least as far as `stage`."""
    ladder = LADDERS[kind]
    if stage not in ladder:
        return False
    return ladder.index(status) >= ladder.index(stage)


def is_failure(status: str) -> bool:
    return status in FAILURE_STATUSES
