"""A real HTTP server on loopback that answers as Microsoft Graph and its token endpoint do,
with the recorded-shape pages of tests/accounts/fixtures/graph/ (see the README there)."""

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "graph"
TENANT = "6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e"
CLIENT_ID = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e"
CLIENT_SECRET = "test-client-secret-not-real"
ACCESS_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.test-token."

# Which page answers which request: the token in the query (none = the first full page).
ROUTES = {
    "": "full-1",
    "full-page-2": "full-2",
    "after-full": "delta-1a",
    "delta-1-page-2": "delta-1b",
    "after-delta-1": "delta-2",
    "after-delta-2": "delta-3",
    "after-delta-3": "delta-2",
}


@dataclass
class FakeGraph:
    base: str = ""
    token_url: str = ""
    routes: dict[str, str] = field(default_factory=lambda: dict(ROUTES))
    expired: set[str] = field(default_factory=set)  # tokens answered with 410 Gone
    throttle_once: set[str] = field(default_factory=set)  # tokens answered 429 the first time
    extra_pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str], str]] = field(default_factory=list)

    def page(self, name: str) -> dict[str, Any]:
        if name in self.extra_pages:
            return self.extra_pages[name]
        text = (FIXTURES / f"{name}.json").read_text(encoding="utf-8")
        return json.loads(text.replace("{base}", self.base))

    def config(self, **overrides: Any) -> dict[str, Any]:
        """A directory configuration pointing at this server."""
        return {
            "tenant_id": TENANT,
            "client_id": CLIENT_ID,
            "graph_url": self.base,
            "token_url": self.token_url,
            "timeout_s": 10,
            **overrides,
        }


def make_handler(fake: FakeGraph) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
            return

        def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 - the base class's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            fake.requests.append(("POST", self.path, dict(self.headers), body))
            form = dict(urllib.parse.parse_qsl(body))
            good = (
                self.path == f"/{TENANT}/oauth2/v2.0/token"
                and form.get("grant_type") == "client_credentials"
                and form.get("client_id") == CLIENT_ID
                and form.get("client_secret") == CLIENT_SECRET
                and form.get("scope") == "https://graph.microsoft.com/.default"
            )
            if not good:
                self.answer(401, {"error": "invalid_client", "error_description": "AADSTS7000215"})
                return
            token = {"token_type": "Bearer", "expires_in": 3599, "access_token": ACCESS_TOKEN}
            self.answer(200, token)

        def do_GET(self) -> None:  # noqa: N802 - the base class's name
            fake.requests.append(("GET", self.path, dict(self.headers), ""))
            if self.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
                self.answer(401, {"error": {"code": "InvalidAuthenticationToken"}})
                return
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query))
            if parts.path != "/v1.0/users/delta":
                self.answer(404, {"error": {"code": "Request_ResourceNotFound"}})
                return
            token = query.get("$deltatoken") or query.get("$skiptoken") or ""
            if token in fake.throttle_once:
                fake.throttle_once.discard(token)
                self.answer(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "0"})
                return
            if token in fake.expired:
                self.answer(410, {"error": {"code": "SyncStateNotFound"}})
                return
            if token not in fake.routes:
                self.answer(400, {"error": {"code": "BadRequest", "message": token}})
                return
            self.answer(200, fake.page(fake.routes[token]))

    return Handler


@contextmanager
def fake_graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
    port = server.server_address[1]
    fake.base = f"http://127.0.0.1:{port}/v1.0"
    fake.token_url = f"http://127.0.0.1:{port}/{{tenant}}/oauth2/v2.0/token"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
