"""How a site sensor signs its requests, and how the server checks them.

A site token reads ``cs_site_<key_id>_<secret>``. The key id travels with every request;
the secret never does: it is the HMAC-SHA256 key over a canonical string made of the
method, the path, a timestamp, a random nonce and the SHA-256 of the body. The server
recomputes the secret from what it stores (see accounts' SiteToken), refuses a timestamp
too far from its clock, and refuses a nonce it has already accepted (a replay).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

PREFIX = "cs_site_"
TOKEN_PATTERN = re.compile(r"^cs_site_(?P<key_id>[0-9a-f]{16})_(?P<secret>[0-9a-f]{64})$")

KEY_HEADER = "X-ClinicShield-Key"
TIMESTAMP_HEADER = "X-ClinicShield-Timestamp"
NONCE_HEADER = "X-ClinicShield-Nonce"
SIGNATURE_HEADER = "X-ClinicShield-Signature"


class BadToken(ValueError):
    """The text is not a site token (a typo, an organisation token, a truncated copy)."""


@dataclass(frozen=True)
class SiteCredential:
    key_id: str
    secret: str

    @classmethod
    def parse(cls, token: str) -> SiteCredential:
        match = TOKEN_PATTERN.match(token.strip())
        if not match:
            raise BadToken(
                "not a site token: it should read cs_site_ followed by 16 and 64 hex digits"
            )
        return cls(match["key_id"], match["secret"])

    def token(self) -> str:
        return f"{PREFIX}{self.key_id}_{self.secret}"


def canonical(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """What is signed: a change to any part (even one byte of the body) breaks it."""
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join([method.upper(), path, timestamp, nonce, digest]).encode()


def signature(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(
    credential: SiteCredential, method: str, path: str, body: bytes, now: float
) -> dict[str, str]:
    """The headers that authenticate one request made at ``now`` (epoch seconds)."""
    timestamp = str(int(now))
    nonce = secrets.token_hex(16)
    message = canonical(method, path, timestamp, nonce, body)
    return {
        KEY_HEADER: credential.key_id,
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: signature(credential.secret, message),
    }


def signature_matches(secret: str, message: bytes, given: str) -> bool:
    return hmac.compare_digest(signature(secret, message), given)
