"""The sensor's side of HTTP: signed requests to the central server, and what answers mean.

Each answer is one of: accepted; *fatal* (the token is revoked, unknown or does not match:
nothing the sensor can do alone); *refused* for good (this batch cannot be stored: set it
aside, go on with the next); or *retry* later (the server is down, restarting, busy, or
the clocks disagree).
"""

from __future__ import annotations

import email.utils
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from clinicshield.accounts.core.site_signing import SiteCredential, sign
from clinicshield.exposure.core.sensor_client import check_server_url

FATAL_CODES = frozenset({"token_revoked", "unknown_token", "bad_signature", "unsigned"})
CLOCK_CODES = frozenset({"stale_request"})
REFUSED_STATUSES = frozenset({400, 409, 413, 422})


@dataclass
class Answer:
    kind: str  # "ok", "fatal", "refused", "retry"
    status: int  # HTTP status, 0 when the server could not be reached
    body: dict[str, Any]
    message: str
    server_time: float | None = None  # from the Date header

    @property
    def code(self) -> str:
        return str(self.body.get("code", ""))


def _server_time(headers: Any) -> float | None:
    date = headers.get("Date") if headers is not None else None
    try:
        return email.utils.parsedate_to_datetime(date).timestamp() if date else None
    except (TypeError, ValueError):
        return None


def _classify(status: int, body: dict[str, Any], headers: Any) -> Answer:
    code = str(body.get("code", ""))
    message = str(body.get("message") or body.get("detail") or f"HTTP {status}")
    when = _server_time(headers)
    if 200 <= status < 300:
        return Answer("ok", status, body, "", when)
    if status == 401 and code in FATAL_CODES:
        return Answer("fatal", status, body, message, when)
    if status in REFUSED_STATUSES:
        return Answer("refused", status, body, message, when)
    return Answer("retry", status, body, f"{message} (HTTP {status})", when)


class CentralServer:
    """One central server, one site token; the clock offset learnt from its answers."""

    def __init__(self, url: str, credential: SiteCredential, timeout: float = 60) -> None:
        self.url = check_server_url(url)
        self.credential = credential
        self.timeout = timeout
        self.clock_offset = 0.0  # server time minus ours, once a stale answer told us

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Answer:
        """Send once; a request refused for its clock is signed again with the server's."""
        answer = self._send(method, path, body, headers or {})
        if answer.code in CLOCK_CODES and answer.server_time is not None:
            self.clock_offset = answer.server_time - time.time()
            answer = self._send(method, path, body, headers or {})
        return answer

    def post_json(self, path: str, payload: dict[str, Any]) -> Answer:
        body = json.dumps(payload).encode()
        return self.request("POST", path, body, {"Content-Type": "application/json"})

    def _send(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Answer:
        signed = sign(self.credential, method, path, body, time.time() + self.clock_offset)
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url + path,
            data=body if method != "GET" else None,
            method=method,
            headers={**headers, **signed},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return _classify(response.status, _json(response.read()), response.headers)
        except urllib.error.HTTPError as error:
            return _classify(error.code, _json(error.read()), error.headers)
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            return Answer("retry", 0, {}, f"cannot reach {self.url}: {reason}")
        except http.client.HTTPException as error:
            # The server died while answering (a cut body, a garbled status line): the
            # batch may or may not be stored; sending it again is safe (it is numbered).
            return Answer("retry", 0, {}, f"{self.url} broke off its answer: {error!r}")


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {"message": raw[:200].decode("utf-8", errors="replace")}
    return value if isinstance(value, dict) else {"value": value}
