"""Shared pieces of the readiness tests: people, a webhook receiver on loopback."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from clinicshield.accounts.actions import do_add_member
from clinicshield.accounts.models import Organisation, Person


def person(
    org: Organisation,
    name: str = "Laura Gómez",
    email: str = "laura@a.example",
    language: str = "es",
) -> Person:
    return Person.objects.create(
        organisation=org, name=name, email=email, department="reception", language=language
    )


def it_member(org: Organisation, email: str = "msp@it.example") -> Any:
    return do_add_member(org, email, "it", "test").user


@dataclass
class WebhookSink:
    url: str = ""
    received: list[tuple[Message, bytes]] = field(default_factory=list)  # headers: any case

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _headers, body in self.received]


@contextmanager
def webhook_receiver() -> Iterator[WebhookSink]:
    """A real HTTP server on 127.0.0.1 that records what is POSTed to it."""
    sink = WebhookSink()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers["Content-Length"]))
            sink.received.append((self.headers, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    sink.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
