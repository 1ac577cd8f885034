"""Calling the WSGI applications the server runs (the tracking fast path, Django) directly,
with a request built here (the `connection_kept_open` fixture keeps the test's transaction)."""

import io
import sys
from typing import Any

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def environ(
    path: str, method: str = "GET", query: str = "", body: bytes = b"password=hunter2", **extra: str
) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "HTTP_USER_AGENT": BROWSER,
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": "0" if method != "POST" else str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        **extra,
    }


def call(app: Any, env: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
    answer: list[Any] = []
    chunks = app(env, lambda status, headers, *exc: answer.extend([status, headers]))
    body = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return answer[0], dict(answer[1]), body
