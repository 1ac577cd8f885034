"""Webhooks are HMAC-signed: a real HTTP receiver on loopback checks the signature."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from clinicshield.accounts.models import Organisation
from clinicshield.lib.notify import SIGNATURE_HEADER, send_webhook, verify_signature


class Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((self.headers[SIGNATURE_HEADER], body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


def test_a_webhook_arrives_signed_with_the_organisations_secret(org_a: Organisation) -> None:
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        org_a.webhook_url = f"http://127.0.0.1:{server.server_port}/hook"
        assert send_webhook(org_a, "alert.new", {"kind": "brute_force"})
    finally:
        server.shutdown()
    signature, body = Receiver.received[-1]
    assert json.loads(body) == {
        "event": "alert.new",
        "organisation": "clinic-a",
        "data": {"kind": "brute_force"},
    }
    assert verify_signature(org_a.webhook_secret, signature, body)
    assert not verify_signature("another secret", signature, body)
    assert not verify_signature(org_a.webhook_secret, signature, body + b" ")


def test_an_unreachable_webhook_is_reported_not_raised(org_a: Organisation) -> None:
    from tests.conftest import free_port

    org_a.webhook_url = f"http://127.0.0.1:{free_port()}/hook"
    assert send_webhook(org_a, "alert.new", {}) is False
