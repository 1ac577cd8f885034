"""Microsoft Entra ID staff through Microsoft Graph: `GET /users/delta`, with app-only OAuth.

The first run reads every user (a full round: pages linked by `@odata.nextLink`, ending with
an `@odata.deltaLink`); later runs ask the stored delta link for what changed since. A delta
page carries updated users with at least the properties that changed, removed users as
`{"id": ..., "@removed": {"reason": "changed" | "deleted"}}`, and disabled accounts as
`accountEnabled: false`. An expired delta link (HTTP 410, or 400 `syncStateNotFound`) means
a new full round. Format: https://learn.microsoft.com/graph/delta-query-users and
https://learn.microsoft.com/graph/api/user-delta.

Standard library HTTP only. The client secret and the bearer token go only to the configured
token and Graph addresses, over HTTPS (plain HTTP is accepted for loopback test servers).
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .directory import DirectoryUser, Mapping

GRAPH_URL = "https://graph.microsoft.com/v1.0"
TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"  # noqa: S105 - an address
SCOPE = "https://graph.microsoft.com/.default"
MAX_PAGES = 10_000  # 1,000,000 users at Graph's largest page; a loop guard, not a limit
MAX_RETRIES = 5
MAX_RETRY_WAIT_S = 60.0
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class GraphError(Exception):
    """The directory could not be read; the message says what answered what."""


class DeltaExpired(GraphError):
    """The stored delta link is no longer valid: a full round must be read again."""


@dataclass(frozen=True)
class GraphSettings:
    tenant_id: str
    client_id: str
    client_secret: str = field(repr=False)
    graph_url: str = GRAPH_URL
    token_url: str = TOKEN_URL
    timeout_s: float = 30.0


@dataclass(frozen=True)
class GraphRound:
    users: list[DirectoryUser]
    delta_link: str
    full: bool  # True: every current user was listed, so anyone not listed has gone


def check_address(url: str, what: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
        return
    raise GraphError(f"{what} {url!r} must be an https:// address")


def same_origin(url: str, base: str) -> bool:
    a, b = urllib.parse.urlsplit(url), urllib.parse.urlsplit(base)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


Sleep = Callable[[float], None]


def _send(request: urllib.request.Request, settings: GraphSettings, sleep: Sleep) -> Any:
    """One HTTP exchange with Graph's throttling honoured (429/503 and Retry-After)."""
    for attempt in range(MAX_RETRIES + 1):
        try:
            with urllib.request.urlopen(request, timeout=settings.timeout_s) as response:  # noqa: S310 - address checked
                return json.load(response)
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            if error.code in (429, 503) and attempt < MAX_RETRIES:
                sleep(min(float(error.headers.get("Retry-After") or 2**attempt), MAX_RETRY_WAIT_S))
                continue
            if error.code == 410 or "syncstatenotfound" in body.lower():
                raise DeltaExpired(f"{request.full_url}: the delta link expired") from None
            raise GraphError(f"{request.full_url}: HTTP {error.code}: {body[:300]}") from None
        except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as error:
            raise GraphError(f"{request.full_url}: {error}") from None
    raise GraphError(f"{request.full_url}: still throttled after {MAX_RETRIES} retries")


def fetch_token(settings: GraphSettings, sleep: Sleep = time.sleep) -> str:
    """An app-only access token (OAuth 2.0 client credentials grant)."""
    url = settings.token_url.format(tenant=urllib.parse.quote(settings.tenant_id, safe=""))
    check_address(url, "token_url")
    form = urllib.parse.urlencode(
        {
            "client_id": settings.client_id,
            "client_secret": settings.client_secret,
            "scope": SCOPE,
            "grant_type": "client_credentials",
        }
    ).encode()
    request = urllib.request.Request(url, data=form, method="POST")  # noqa: S310 - checked
    answer = _send(request, settings, sleep)
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not token:
        raise GraphError(f"{url}: the answer has no access_token")
    return str(token)


def first_delta_url(settings: GraphSettings, mapping: Mapping) -> str:
    wanted = {"id", "accountEnabled", *mapping.attributes.values()}
    query = urllib.parse.urlencode({"$select": ",".join(sorted(wanted))}, safe="$,")
    return f"{settings.graph_url.rstrip('/')}/users/delta?{query}"


def read_round(
    settings: GraphSettings,
    mapping: Mapping,
    delta_link: str = "",
    sleep: Sleep = time.sleep,
) -> GraphRound:
    """Every page from `delta_link` (or a full round without one) to the next delta link."""
    check_address(settings.graph_url, "graph_url")
    token = fetch_token(settings, sleep)
    url = delta_link or first_delta_url(settings, mapping)
    users: list[DirectoryUser] = []
    for _page in range(MAX_PAGES):
        if not same_origin(url, settings.graph_url):
            # The bearer token must never go anywhere but the configured Graph address.
            raise GraphError(f"Graph sent a link to another address: {url!r}")
        headers = {"Authorization": f"Bearer {token}"}
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - checked
        page = _send(request, settings, sleep)
        if not isinstance(page, dict) or not isinstance(page.get("value"), list):
            raise GraphError(f"{url}: not a Graph collection page")
        users.extend(user_from_graph(item, mapping) for item in page["value"])
        if page.get("@odata.nextLink"):
            url = str(page["@odata.nextLink"])
        elif page.get("@odata.deltaLink"):
            return GraphRound(users, str(page["@odata.deltaLink"]), full=not delta_link)
        else:
            raise GraphError(f"{url}: a page with neither a next link nor a delta link")
    raise GraphError(f"more than {MAX_PAGES} pages: stopped")


def user_from_graph(item: dict[str, Any], mapping: Mapping) -> DirectoryUser:
    external_id = str(item.get("id") or "")
    where = f"user {external_id}" if external_id else "a user without an id"
    if "@removed" in item:
        return DirectoryUser(external_id, where, removed=True)

    def sent(our_field: str) -> str | None:
        key = mapping.attributes[our_field]
        if key not in item:
            return None
        value = item[key]
        return "" if value is None else str(value)

    enabled = item.get("accountEnabled")
    return DirectoryUser(
        external_id,
        where,
        email=sent("email"),
        name=sent("name"),
        department=sent("department"),
        site=sent("site"),
        language=sent("language"),
        enabled=bool(enabled) if enabled is not None else None,
    )
