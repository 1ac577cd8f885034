"""The site-sensor side of probes: fetch the plan from the server, report what was seen.

The server keeps every decision (the policy, the scope check, the verdicts); the sensor
only makes the TCP connections from where it stands. Plain HTTP is accepted for loopback
servers only: the token must not cross a network in clear text.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class SensorError(Exception):
    """The server refused (`refused` True: a 4xx with its message) or could not be reached."""

    def __init__(self, message: str, refused: bool) -> None:
        super().__init__(message)
        self.refused = refused


def check_server_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SensorError(f"{url} is not an http(s) URL", refused=True)
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise SensorError(f"{url}: use https (plain http only for a server on loopback)", True)
    return url.rstrip("/")


def _call(url: str, token: str, payload: dict[str, Any] | None, timeout: float) -> Any:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=data,
        method="POST" if data is not None else "GET",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        try:
            message = json.loads(error.read()).get("message") or error.reason
        except (ValueError, AttributeError):
            message = error.reason
        raise SensorError(f"the server refused: {message} (HTTP {error.code})", True) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise SensorError(f"cannot reach {url}: {error}", refused=False) from None


def fetch_plan(server: str, token: str, zone: str, timeout: float = 30) -> list[tuple[str, int]]:
    query = urllib.parse.urlencode({"zone": zone})
    answer = _call(
        f"{check_server_url(server)}/api/exposure/probe-plan?{query}", token, None, timeout
    )
    return [(str(address), int(port)) for address, port in answer["endpoints"]]


def report_states(
    server: str, token: str, zone: str, states: dict[tuple[str, int], str], timeout: float = 30
) -> list[dict[str, Any]]:
    payload = {"zone": zone, "states": [[a, p, s] for (a, p), s in sorted(states.items())]}
    answer = _call(
        f"{check_server_url(server)}/api/exposure/probe-results", token, payload, timeout
    )
    return list(answer["verdicts"])
