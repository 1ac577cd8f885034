"""Landing-page content and the inert ClickFix clipboard payload.

The ClickFix simulation must never put code on the clipboard. What it copies is
a plain https link to our own server, followed by a fragment that carries the
decoy text the victim sees in the Run box (`#  I am not a robot - ...`). The
fragment never reaches the server; the only thing Windows can do with the line
is open the link in the browser, which records "executed" and shows the lesson.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .library import CONTENT_DIR


@cache
def landing_content(path: Path | None = None) -> dict[str, Any]:
    data = yaml.safe_load((path or CONTENT_DIR / "landings.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def verification_id(token: str) -> str:
    """A four-digit decoy number, stable for a token, that reveals nothing about it."""
    return str(1000 + int.from_bytes(hashlib.sha256(token.encode()).digest()[:4], "big") % 9000)


# A base URL whose every character is inert in a shell, cmd.exe and PowerShell: a scheme,
# a host name or address, a port, a path. No space, `&`, `;`, `|`, `$`, backtick or quote
# that would turn the copied line into a command (docs/simulations.md, "safe by construction").
_PLAIN_BASE_URL = re.compile(
    r"https?://(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~/-]*)?"
)


def is_plain_base_url(base_url: str) -> bool:
    return bool(_PLAIN_BASE_URL.fullmatch(base_url))


CLIPBOARD_LANDINGS = ("clickfix", "filefix")  # the landing pages that copy a line


def clipboard_refused(landing: str, base_url: str) -> bool:
    """A page that would copy a line built on a base URL that is not plain (a campaign saved
    before base URLs were checked): it must copy nothing and show the lesson instead."""
    return landing in CLIPBOARD_LANDINGS and not is_plain_base_url(base_url)


def execution_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/s/{token}"


@dataclass(frozen=True)
class ClipboardPayload:
    text: str  # what goes on the clipboard: one line, a link and a decoy fragment
    url: str  # the link part, what opening the line fetches


def clipboard_payload(base_url: str, token: str, landing: str, language: str) -> ClipboardPayload:
    if landing not in CLIPBOARD_LANDINGS:
        raise ValueError(f"landing {landing!r} has no clipboard payload")
    if not is_plain_base_url(base_url):
        raise ValueError(f"base URL {base_url!r} is not a plain http(s) address")
    texts = landing_content()[landing]
    version = texts.get(language) or texts["en"]
    label = version["clipboard_label"].format(verification_id=verification_id(token))
    url = execution_url(base_url, token)
    # Two spaces after '#', as real lures pad the visible tail away from the command.
    return ClipboardPayload(text=f"{url}#  {label}", url=url)


def lesson(kind: str, language: str) -> dict[str, Any]:
    lessons = landing_content()["lessons"][kind]
    result = lessons.get(language) or lessons["en"]
    assert isinstance(result, dict)
    return result
