"""Telling people from machines in tracking events.

Mail security gateways and link-protection services fetch every URL of an
incoming email, often before anyone reads it; some mail clients prefetch images
through a proxy. Counting those fetches as clicks would send innocent staff to
remedial training. Each event is therefore classified *verified* (a person did
it: the landing page saw a human interaction) or *unverified* (with the reasons),
and the two are counted apart. Only verified events move a recipient's status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Substrings (lower case) of User-Agent headers sent by link scanners, URL
# previewers and generic HTTP libraries. Collected from vendors' public docs and
# from what such services are commonly observed to send; kept short on purpose:
# the timing and JavaScript signals catch the ones that pose as browsers.
SCANNER_USER_AGENT_MARKERS: tuple[str, ...] = (
    "bot",
    "crawler",
    "spider",
    "preview",
    "scanner",
    "safelinks",
    "safe links",
    "urldefense",
    "proofpoint",
    "mimecast",
    "barracuda",
    "forcepoint",
    "symantec",
    "trend micro",
    "sophos",
    "fortiguard",
    "cisco",
    "ironport",
    "zscaler",
    "microsoft office",
    "ms-office",
    "skypeuripreview",
    "headlesschrome",
    "phantomjs",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "httpx",
    "go-http-client",
    "curl/",
    "wget/",
    "okhttp",
    "java/",
    "apache-httpclient",
    "libwww-perl",
    "facebookexternalhit",
    "whatsapp",
    "googleimageproxy",
)

# A click this soon after the email was handed to the recipient's server is
# almost always a gateway following links on arrival.
MIN_HUMAN_SECONDS_AFTER_DELIVERY = 10.0

# Events that only count when a script in the page proved a human was there.
EVENTS_NEEDING_SCRIPT = frozenset({"clicked", "submitted"})


@dataclass(frozen=True)
class EventSignals:
    event: str  # opened, clicked, submitted, copied, executed
    method: str = "GET"
    user_agent: str = ""
    delivered_at: datetime | None = None
    at: datetime | None = None
    human_proof: bool = False  # the page's script saw pointer/keyboard/focus input


@dataclass(frozen=True)
class Classification:
    verified: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)


def scanner_marker(user_agent: str) -> str:
    """The scanner marker found in a User-Agent, or '' when none (empty UA counts)."""
    lowered = user_agent.strip().lower()
    if not lowered:
        return "empty"
    for marker in SCANNER_USER_AGENT_MARKERS:
        if marker in lowered:
            return marker
    return ""


def classify_event(
    signals: EventSignals, min_human_seconds: float = MIN_HUMAN_SECONDS_AFTER_DELIVERY
) -> Classification:
    reasons: list[str] = []
    if signals.method.upper() == "HEAD":
        reasons.append("head_request")
    if scanner_marker(signals.user_agent):
        reasons.append("scanner_user_agent")
    if signals.delivered_at and signals.at and signals.event != "opened":
        elapsed = (signals.at - signals.delivered_at).total_seconds()
        if elapsed < min_human_seconds:
            reasons.append("too_soon_after_delivery")
    if signals.event in EVENTS_NEEDING_SCRIPT and not signals.human_proof:
        reasons.append("no_javascript")
    return Classification(verified=not reasons, reasons=tuple(reasons))
