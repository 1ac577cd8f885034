"""The tracking fast path: tracking hits answered before Django's request cycle.

A burst of tracking hits (a campaign to a chain; mail scanners fetching every link as
the mail arrives) is thousands of requests a second whose whole answer is fixed: a 1x1
GIF, a 204, a redirect. Through Django each one opened the database, ran thirteen
middlewares, wrote, and closed the database again (6-7 ms of CPU). Here a hit costs a
path match, one indexed lookup that proves the token exists (on the thread's own
connection, kept open) and one append to the hit log (hitlog.py); the worker judges it
later (actions/folding.py).

The fast path answers only when its answer is the one Django would give: the same
status, body and headers (but Vary and Content-Language, which only matter for text).
Anything else goes on to Django untouched: another method, the pages (landing page,
lesson), a host outside ALLOWED_HOSTS, plain HTTP where HTTPS is required, an unknown
token (which so gets the very 404 of any missing page), a database or disk error.
`clinicshield/wsgi.py` puts it in front of Django; the test client, which calls Django
directly, goes through the views, which write the same hits.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DatabaseError, connection
from django.dispatch import receiver
from django.http.request import split_domain_port, validate_host
from django.utils.http import http_date

from clinicshield.lib.client_address import client_address
from clinicshield.lib.security import POLICY

from .core.hits import Hit
from .views.public import PIXEL

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_PATH = re.compile(r"/(t|s)/([A-Za-z0-9_-]{32})(/px\.gif|/h|/submit|/copy)?")
# (prefix, tail, method) -> the event, as public_urls.py routes them.
_EVENTS = {
    ("t", "/px.gif", "GET"): "opened",
    ("t", "/px.gif", "HEAD"): "opened",
    ("t", "", "HEAD"): "clicked",
    ("t", "/h", "POST"): "clicked",
    ("t", "/submit", "POST"): "submitted",
    ("t", "/copy", "POST"): "copied",
    ("s", "", "HEAD"): "executed",
}
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"
HTML = "text/html; charset=utf-8"


def tracking_fast_path(django_app: WSGIApp) -> WSGIApp:
    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        try:
            answer = _answer(environ)
        except DatabaseError:
            connection.close()  # the next hit reconnects; Django answers this one
            answer = None
        except OSError:  # the hit log refused the write: Django tries, and says so
            answer = None
        if answer is None:
            return django_app(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    return application


def _answer(environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes] | None:
    match = _PATH.fullmatch(environ.get("PATH_INFO", ""))
    if match is None or environ.get("SCRIPT_NAME"):
        return None
    prefix, token, tail = match.group(1), match.group(2), match.group(3) or ""
    method = environ.get("REQUEST_METHOD", "GET")
    event = _EVENTS.get((prefix, tail, method))
    if event is None or not _host_allowed(environ):
        return None
    secure = _is_secure(environ)
    if _config().ssl_redirect and not secure:
        return None  # SecurityMiddleware sends it to HTTPS
    from .actions.tracking import do_record_hit, token_is_known

    if not token_is_known(token):
        return None
    query = environ.get("QUERY_STRING", "")
    human = bool(query) and parse_qs(query).get("h", [""])[-1] == "1"
    do_record_hit(
        Hit(
            token=token,
            event=event,
            at=datetime.now(UTC),
            method=method,
            user_agent=environ.get("HTTP_USER_AGENT", ""),
            ip=client_address(
                environ.get("REMOTE_ADDR"),
                environ.get("HTTP_X_FORWARDED_FOR", ""),
                _config().proxy_hops,
            ),
            human_proof=human,
        )
    )
    headers = _headers(secure)
    if event == "opened":
        return "200 OK", [*headers, ("Content-Type", "image/gif"), _length(PIXEL)], PIXEL
    if method == "HEAD":
        return "200 OK", [*headers, ("Content-Type", HTML), _length(b"")], b""
    if event == "submitted" and not human:
        headers.append(("Location", f"/t/{token}/lesson"))
        return "302 Found", [*headers, ("Content-Type", HTML), _length(b"")], b""
    return "204 No Content", [*headers, ("Content-Type", HTML), _length(b"")], b""


def _length(body: bytes) -> tuple[str, str]:
    return ("Content-Length", str(len(body)))


@dataclass(frozen=True)
class _Config:
    """The settings a hit needs, read once: Django's lazy settings cost microseconds a look."""

    allowed_hosts: list[str]
    forwarded_host: bool
    ssl_redirect: bool
    proxy_ssl_header: tuple[str, str] | None
    headers: list[tuple[str, str]]  # what the middlewares add to every answer
    hsts: str  # on HTTPS answers only, when set
    proxy_hops: int  # our reverse proxies, which append the client's address


_snapshot: _Config | None = None


def _config() -> _Config:
    global _snapshot
    if _snapshot is None:
        _snapshot = _read_settings()
    return _snapshot


@receiver(setting_changed)
def _forget_settings(**_kwargs: Any) -> None:
    global _snapshot
    _snapshot = None


def _read_settings() -> _Config:
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    headers = [
        ("Cache-Control", NEVER_CACHE),
        ("Content-Security-Policy", POLICY),
        ("X-Frame-Options", settings.X_FRAME_OPTIONS.upper()),
    ]
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        headers.append(("Referrer-Policy", policy if isinstance(policy, str) else ",".join(policy)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    hsts = ""
    if settings.SECURE_HSTS_SECONDS:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        hsts += "; includeSubDomains" if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS else ""
        hsts += "; preload" if settings.SECURE_HSTS_PRELOAD else ""
    return _Config(
        allowed_hosts=allowed,
        forwarded_host=settings.USE_X_FORWARDED_HOST,
        ssl_redirect=settings.SECURE_SSL_REDIRECT,
        proxy_ssl_header=settings.SECURE_PROXY_SSL_HEADER,
        headers=headers,
        hsts=hsts,
        proxy_hops=settings.PROXY_HOPS,
    )


def _host_allowed(environ: dict[str, Any]) -> bool:
    """HttpRequest.get_host()'s check, for the common case (a Host header, no proxy's)."""
    host = environ.get("HTTP_HOST", "")
    config = _config()
    if not host or config.forwarded_host:
        return False
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, config.allowed_hosts)


def _is_secure(environ: dict[str, Any]) -> bool:
    """HttpRequest.is_secure(): the proxy's header when configured, else the scheme."""
    proxy_header = _config().proxy_ssl_header
    if proxy_header:
        header, secure_value = proxy_header
        given = environ.get(header)
        if given is not None:
            return bool(given.split(",", 1)[0].strip() == secure_value)
    return bool(environ.get("wsgi.url_scheme") == "https")


_expires: tuple[int, str] = (0, "")


def _headers(secure: bool) -> list[tuple[str, str]]:
    """What never_cache and the security middlewares add to every answer."""
    global _expires
    second = int(time.time())
    if _expires[0] != second:  # one date a second, not one a hit
        _expires = (second, http_date(second))
    config = _config()
    headers = [("Expires", _expires[1]), *config.headers]
    if secure and config.hsts:
        headers.append(("Strict-Transport-Security", config.hsts))
    return headers
