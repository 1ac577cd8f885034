"""Signed requests to the sensor API through Django's test client, as a sensor makes them."""

import json
import time
from typing import Any

from django.test import Client

from clinicshield.accounts.core.site_signing import SiteCredential, sign
from clinicshield.monitoring.core.sensor_batch import BatchHeader, encode_batch

AUTH_LINE = (
    "Mar  3 08:16:{s:02d} web1 sshd[4242]: Failed password for ana from 203.0.113.{n} "
    "port 5{n:04d} ssh2\n"
)


def auth_lines(first: int, count: int) -> bytes:
    return "".join(
        AUTH_LINE.format(s=i % 60, n=i % 250) for i in range(first, first + count)
    ).encode()


def header(start: int, end: int, **changes: Any) -> BatchHeader:
    fields: dict[str, Any] = {
        "sensor": "pc1",
        "source": "auth.log",
        "format": "syslog",
        "stream": "0123456789abcdef",
        "start": start,
        "end": end,
        "mtime": 1772528400.0,  # 2026-03-03: the year of the lines' dates
        "path": "/var/log/auth.log",
    }
    return BatchHeader(**{**fields, **changes})


def signed_headers(
    token: str, method: str, path: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    credential = SiteCredential.parse(token)
    return sign(credential, method, path, body, time.time() if now is None else now)


def post_batch(
    client: Client, token: str, batch_header: BatchHeader, data: bytes, encoding: str = "zstd"
) -> Any:
    body = encode_batch(batch_header, data, encoding)
    path = "/api/sensor/batches"
    headers = {**signed_headers(token, "POST", path, body), "Content-Encoding": encoding}
    return client.post(path, body, content_type="application/octet-stream", headers=headers)


def post_json(client: Client, token: str, path: str, payload: dict[str, Any]) -> Any:
    body = json.dumps(payload).encode()
    headers = signed_headers(token, "POST", path, body)
    return client.post(path, body, content_type="application/json", headers=headers)


def get_signed(client: Client, token: str, path: str) -> Any:
    return client.get(path, headers=signed_headers(token, "GET", path, b""))
