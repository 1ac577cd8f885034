"""A tracking hit as the request path writes it, and as the fold reads it back.

A hit is what one request told us (which token, which event, when, the method, the
User-Agent, the address, whether our page's script saw a person) and nothing else:
it is judged (person or scanner) later, by the fold. One hit is one line of JSON
ending in a newline, so a log is a plain append-only text file, and the newline, the
last byte of every write, tells a reader that the line before it is whole. JSON
escapes every control character, so no User-Agent can break a line in two.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

# What a hit keeps of a User-Agent: the length TrackingEvent stores.
USER_AGENT_CHARS = 300
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Hit:
    token: str
    event: str  # opened, clicked, submitted, copied, executed
    at: datetime  # aware, UTC
    method: str = "GET"
    user_agent: str = ""
    ip: str | None = None
    human_proof: bool = False  # the page's script saw pointer/keyboard/focus input


class BadHit(ValueError):
    """A line that is not a hit we wrote; the message says why."""


def encode_hit(hit: Hit) -> bytes:
    record = {
        "v": FORMAT_VERSION,
        "token": hit.token,
        "event": hit.event,
        "at": hit.at.isoformat(),
        "method": hit.method,
        "ua": hit.user_agent[:USER_AGENT_CHARS],
        "ip": hit.ip,
        "human": hit.human_proof,
    }
    return json.dumps(record, ensure_ascii=True, separators=(",", ":")).encode() + b"\n"


def decode_hit(line: bytes) -> Hit:
    try:
        record = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadHit(f"not JSON ({error})") from None
    if not isinstance(record, dict) or record.get("v") != FORMAT_VERSION:
        raise BadHit("not a version-1 hit record")
    try:
        at = datetime.fromisoformat(record["at"])
        hit = Hit(
            token=str(record["token"]),
            event=str(record["event"]),
            at=at,
            method=str(record["method"]),
            user_agent=str(record["ua"]),
            ip=record["ip"] if record["ip"] is None else str(record["ip"]),
            human_proof=bool(record["human"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise BadHit(f"missing or malformed field ({error!r})") from None
    if at.tzinfo is None:
        raise BadHit("time without a timezone")
    return hit


def complete_lines(chunk: bytes, max_lines: int) -> tuple[list[bytes], int]:
    """The whole lines at the start of `chunk` (at most `max_lines`) and the bytes they span.

    A line still being written has no newline yet: it is left for the next read.
    """
    lines: list[bytes] = []
    start = 0
    while len(lines) < max_lines:
        end = chunk.find(b"\n", start)
        if end < 0:
            break
        lines.append(chunk[start:end])
        start = end + 1
    return lines, start
