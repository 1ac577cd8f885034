"""A new-alert email or webhook call that fails (mail server or receiver down) is made again
by the periodic jobs."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from clinicshield.lib.due import run_due
from clinicshield.monitoring.actions import do_raise_alert, do_resolve_alert
from clinicshield.monitoring.models import Alert

from ...conftest import body_text, free_port
from .conftest import at


def raise_one(org, key):
    return do_raise_alert(
        org,
        kind="off_hours",
        severity="high",
        key=key,
        explanation="Ana signed in at 03:12",
        ts=at("2026-11-26 11:42"),
        user="ana",
    )


def test_an_alert_raised_while_mail_is_down_is_emailed_once_it_is_back(
    org_a, alice, smtp_server, settings, django_capture_on_commit_callbacks
):
    up = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there: connection refused
    with django_capture_on_commit_callbacks(execute=True):
        alert = raise_one(org_a, "off_hours:ana")
        closed = raise_one(org_a, "off_hours:bob")
    assert smtp_server.messages == []
    do_resolve_alert(closed, alice)  # dealt with before mail came back: no email needed
    summary = run_due(at("2026-11-26 12:00"), only=["monitoring.alert_emails"])
    assert summary == {"monitoring.alert_emails": "0 sent, 1 still failing"}
    settings.EMAIL_PORT = up
    run_due(at("2026-11-26 12:05"), only=["monitoring.alert_emails"])
    assert [m["To"] for m in smtp_server.messages] == [alice.email]
    assert f"/monitoring/alerts/{alert.pk}/" in body_text(smtp_server.messages[0])
    assert not Alert.objects.filter(email_pending=True).exists()
    # Sent once: the next run has nothing to do.
    assert run_due(at("2026-11-26 12:10"), only=["monitoring.alert_emails"]) == {
        "monitoring.alert_emails": "nothing pending"
    }
    assert len(smtp_server.messages) == 1


class _Sink(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802 - the handler's name is http.server's
        self.received.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


def test_a_webhook_call_that_failed_is_made_again_once_the_receiver_is_back(
    org_a, django_capture_on_commit_callbacks
):
    port = free_port()  # nothing listens there yet: connection refused
    org_a.webhook_url = f"http://127.0.0.1:{port}/hook"
    org_a.save(update_fields=["webhook_url"])
    with django_capture_on_commit_callbacks(execute=True):
        alert = raise_one(org_a, "off_hours:ana")
    assert Alert.objects.get(pk=alert.pk).webhook_pending
    summary = run_due(at("2026-11-26 12:00"), only=["monitoring.alert_webhooks"])
    assert summary == {"monitoring.alert_webhooks": "0 sent, 1 still failing"}
    _Sink.received = []
    server = HTTPServer(("127.0.0.1", port), _Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        run_due(at("2026-11-26 12:05"), only=["monitoring.alert_webhooks"])
        run_due(at("2026-11-26 12:10"), only=["monitoring.alert_webhooks"])
    finally:
        server.shutdown()
    (body,) = _Sink.received  # once, not once per run
    assert json.loads(body)["data"]["url"].endswith(f"/monitoring/alerts/{alert.pk}/")
    assert not Alert.objects.filter(webhook_pending=True).exists()
