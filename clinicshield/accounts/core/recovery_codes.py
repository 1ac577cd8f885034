"""Recovery codes: single-use codes that stand in for a lost authenticator.

Only each code's SHA-256 is kept, as for API tokens. A fast hash is enough because a new
code carries 80 random bits (16 base-32 characters): no list of guesses reaches it. Codes
are shown in groups of four, and read back whatever the case, spaces or dashes typed.
"""

import base64
import hashlib
import secrets

CODE_BYTES = 10  # 80 bits: 16 base-32 characters


def new_code() -> str:
    """A fresh code as shown to the person: "abcd-efgh-ijkl-mnop"."""
    plain = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode().lower()
    return "-".join(plain[i : i + 4] for i in range(0, len(plain), 4))


def normalised(typed: str) -> str:
    return "".join(typed.split()).replace("-", "").lower()


def code_hash(typed: str) -> str:
    return hashlib.sha256(normalised(typed).encode()).hexdigest()
