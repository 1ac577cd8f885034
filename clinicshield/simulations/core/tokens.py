"""Per-recipient tracking tokens.

A token is 192 random bits written in URL-safe base64 (32 characters). It is
drawn from the operating system's CSPRNG and carries no information about the
campaign, the recipient or the time, so a token seen in a log or a forwarded
email reveals nothing and cannot be guessed from its neighbours.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import unquote

TOKEN_BYTES = 24  # 192 bits: comfortably above the 128-bit floor of the design
TOKEN_LENGTH = 32  # len(base64url(24 bytes)) without padding
_TOKEN_CHARS = "A-Za-z0-9_-"  # noqa: S105 (a character class, not a secret)
_TOKEN_RE = re.compile(rf"^[{_TOKEN_CHARS}]{{{TOKEN_LENGTH}}}$")
# A token inside free text (a reported email, a command line): it always follows a
# slash of one of our tracking paths and is not part of a longer run of token characters.
_TOKEN_IN_TEXT_RE = re.compile(
    rf"/(?:t|s)/([{_TOKEN_CHARS}]{{{TOKEN_LENGTH}}})(?![{_TOKEN_CHARS}])"
)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def is_well_formed_token(value: str) -> bool:
    """Cheap shape check done before any database lookup."""
    return bool(_TOKEN_RE.match(value))


def find_tokens(text: str) -> list[str]:
    """Tokens found in tracking URLs inside free text, in order, without repeats.

    Link-protection gateways wrap our links in their own, percent-encoded
    (`...safelinks...?url=https%3A%2F%2Fdrills.example%2Ft%2F<token>`), so the
    decoded text is searched too.
    """
    seen: dict[str, None] = {}
    for variant in (text, unquote(text)):
        for match in _TOKEN_IN_TEXT_RE.finditer(variant):
            seen.setdefault(match.group(1), None)
    return list(seen)
