"""Alerts: deduplication, triage, suppression, notifications, and detection runs."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from clinicshield.lib.notify import SIGNATURE_HEADER, verify_signature
from clinicshield.monitoring.actions import (
    do_acknowledge_alert,
    do_mark_false_positive,
    do_mark_service_account,
    do_raise_alert,
    do_reopen_alert,
    do_resolve_alert,
    do_run_detection,
)
from clinicshield.monitoring.models import Alert, DetectionRun
from clinicshield.monitoring.queries import alert_payload
from clinicshield.monitoring.words import render

from .conftest import at, daily, signin, write_events

NOW = at("2025-02-02 06:00")


def raise_one(org, key="off_hours:ana", ts=NOW, **extra):
    values = {
        "kind": "off_hours",
        "severity": "medium",
        "key": key,
        "explanation": "Ana signed in at 03:12",
        "ts": ts,
        "user": "ana",
    }
    values.update(extra)
    return do_raise_alert(org, **values)


def test_the_same_thing_continuing_grows_one_alert(org_a):
    first = raise_one(org_a, evidence={"record_refs": ["r1"]})
    again = raise_one(
        org_a, ts=NOW + timedelta(hours=1), severity="high", evidence={"record_refs": ["r2"]}
    )
    assert again.pk == first.pk
    again.refresh_from_db()
    assert (again.count, again.severity, again.last_seen) == (2, "high", NOW + timedelta(hours=1))
    assert again.evidence["record_refs"] == ["r1", "r2"]
    assert raise_one(org_a, key="off_hours:bob").pk != first.pk


def test_an_overlapping_window_does_not_count_twice(org_a):
    alert = raise_one(org_a)
    raise_one(org_a)  # the same moment seen again
    alert.refresh_from_db()
    assert alert.count == 1


def test_a_closed_alert_is_not_raised_again_for_what_it_already_covered(org_a, alice):
    alert = raise_one(org_a)
    do_resolve_alert(alert, alice)
    assert raise_one(org_a).pk == alert.pk  # an overlapping pass saw the same sign-in
    assert Alert.objects.filter(organisation=org_a).count() == 1


def test_late_events_in_the_overlap_are_still_found(org_a):
    store_history(org_a.slug)
    do_run_detection(org_a, at("2025-02-02 02:30"), start=at("2025-02-01 00:00"))
    late = [signin(at("2025-02-02 02:20"), "ana", src_country="NG", record_ref="late")]
    write_events(settings.DATA_DIR, "auth", late, org=org_a.slug)  # arrives after the pass
    result = do_run_detection(org_a, at("2025-02-02 03:00"))
    assert [a.kind for a in result.new_alerts] == ["new_country"]


def test_a_resolved_alert_is_not_reopened_by_new_activity(org_a, alice):
    alert = raise_one(org_a)
    do_resolve_alert(alert, alice)
    later = raise_one(org_a, ts=NOW + timedelta(days=1))
    assert later.pk != alert.pk and later.status == "open"


def test_a_false_positive_suppresses_the_pattern_for_that_person_only(org_a, alice):
    alert = raise_one(org_a)
    do_acknowledge_alert(alert, alice)
    suppression = do_mark_false_positive(alert, alice, reason="night shift")
    assert (suppression.kind, suppression.user) == ("off_hours", "ana")
    assert raise_one(org_a, ts=NOW + timedelta(days=1)) is None
    assert raise_one(org_a, key="off_hours:bob", user="bob") is not None
    do_reopen_alert(alert, alice)  # it was not harmless after all
    assert raise_one(org_a, ts=NOW + timedelta(days=2)).pk == alert.pk


def test_alerts_are_separate_per_organisation(org_a, org_b):
    assert raise_one(org_a).organisation == org_a
    assert raise_one(org_b).organisation == org_b
    assert Alert.objects.filter(organisation=org_a).count() == 1


def test_an_unknown_severity_is_refused(org_a):
    with pytest.raises(ValueError, match="unknown severity"):
        raise_one(org_a, severity="urgent")


class WebhookSink(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        WebhookSink.received.append((self.headers.get(SIGNATURE_HEADER, ""), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook(org_a):
    WebhookSink.received = []
    server = HTTPServer(("127.0.0.1", 0), WebhookSink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    org_a.webhook_url = f"http://127.0.0.1:{server.server_port}/hook"
    org_a.save(update_fields=["webhook_url"])
    yield WebhookSink
    server.shutdown()


def test_a_new_alert_emails_owners_and_calls_the_signed_webhook(
    org_a, alice, bob, smtp_server, webhook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        raise_one(org_a, severity="high")
    assert [m["To"] for m in smtp_server.messages] == [alice.email]  # bob is a viewer
    assert "Sign-in at an unusual hour" in smtp_server.messages[0]["Subject"]
    signature, body = webhook.received[0]
    assert verify_signature(org_a.webhook_secret, signature, body)
    payload = json.loads(body)
    assert payload["event"] == "monitoring.alert_raised"
    assert payload["data"]["explanation"] == "Ana signed in at 03:12"
    # Growing the same alert notifies nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        raise_one(org_a, ts=NOW + timedelta(hours=2))
    assert len(smtp_server.messages) == 1 and len(webhook.received) == 1


def store_history(org_slug: str) -> None:
    rows = [signin(ts, "ana", src_country="ES") for ts in daily(at("2025-01-01 00:00"), 31, 8)]
    rows += [signin(ts, "ana", src_country="ES") for ts in daily(at("2025-01-01 00:00"), 31, 13)]
    rows += [signin(at("2025-02-02 02:12"), "ana", src_country="ES", record_ref="line 9")]
    rows += [
        signin(at("2025-02-01 22:00"), "svc_backup", logon_type="remote_interactive", host="dc01")
    ]
    write_events(settings.DATA_DIR, "auth", rows, org=org_slug)


def test_a_detection_run_raises_explained_alerts_once(org_a, alice):
    store_history(org_a.slug)
    do_mark_service_account(org_a, "SVC_Backup", alice)
    result = do_run_detection(org_a, NOW, start=at("2025-02-01 00:00"))
    kinds = sorted(alert.kind for alert in result.new_alerts)
    # svc_backup is new (still learning) and signed in on a Saturday night: outside opening hours.
    assert kinds == ["off_hours", "off_hours", "service_account_interactive"]
    off_hours = Alert.objects.get(organisation=org_a, kind="off_hours", user="ana")
    assert off_hours.evidence["record_refs"] == ["line 9"]
    with translation.override("en"):
        sentence = render(off_hours.code, off_hours.params)
    assert (
        sentence
        == "ana signed in at 03:12 on Sunday; they usually sign in 09:00–15:00 on weekdays."
    )
    # The next regular pass also judges January, which no pass had judged: ordinary days.
    again = do_run_detection(org_a, NOW + timedelta(minutes=15))
    assert again.window_start == at("2025-01-01 00:00")
    assert again.new_alerts == [] and again.grown_alerts == 0
    # The one after starts where that one ended: nothing new, nothing counted twice.
    third = do_run_detection(org_a, NOW + timedelta(minutes=30))
    assert third.window_start == NOW + timedelta(minutes=15) - timedelta(hours=1)
    assert third.new_alerts == [] and third.findings == 0
    # However long its window, a pass is one recorded run.
    assert DetectionRun.objects.filter(organisation=org_a).count() == 3


def test_old_events_that_arrive_later_are_examined_by_the_next_regular_pass(org_a):
    store_history(org_a.slug)
    first = do_run_detection(org_a, NOW)
    # A first pass judges everything stored, however old.
    assert first.window_start == at("2025-01-01 00:00")
    # A copied export brings a sign-in from two days before the pass: far behind its window.
    late = [signin(at("2025-01-30 10:00"), "ana", src_country="NG", record_ref="late")]
    write_events(settings.DATA_DIR, "auth", late, org=org_a.slug)
    result = do_run_detection(org_a, NOW + timedelta(minutes=15))
    assert result.window_start == at("2025-01-30 00:00")
    assert [(a.kind, a.evidence["record_refs"]) for a in result.new_alerts] == [
        ("new_country", ["late"])
    ]
    # Once examined, the day is not read again by the pass after.
    after = do_run_detection(org_a, NOW + timedelta(minutes=30))
    assert after.window_start == NOW + timedelta(minutes=15) - timedelta(hours=1)


def test_weeks_examined_at_once_are_judged_day_by_day_against_their_own_past(org_a):
    # Sixteen days imported in one go, then examined with --since: each day is compared
    # with the days before it (learned after 14 days), so the last day's country stands out.
    first = at("2025-01-16 00:00")
    rows = [signin(ts, "ana", src_country="ES") for ts in daily(first, 15, 9)]
    rows += [signin(ts, "ana", src_country="ES") for ts in daily(first, 15, 13)]
    rows += [signin(at("2025-01-31 10:00"), "ana", src_country="RU", record_ref="ru")]
    write_events(settings.DATA_DIR, "auth", rows, org=org_a.slug)
    result = do_run_detection(org_a, at("2025-02-01 00:00"), start=first)
    assert [(a.kind, a.evidence["record_refs"]) for a in result.new_alerts] == [
        ("new_country", ["ru"])
    ]
    # Examining the last days again finds the same thing: nothing new, nothing grown.
    again = do_run_detection(org_a, at("2025-02-01 00:00"), start=at("2025-01-30 00:00"))
    assert (again.new_alerts, again.grown_alerts) == ([], 0)


def test_the_alert_payload_has_what_scripts_need(org_a):
    alert = raise_one(org_a, src_ip="10.0.0.5", host="ws-1")
    payload = alert_payload(alert)
    assert set(payload) >= {
        "kind",
        "severity",
        "user",
        "src_ip",
        "host",
        "first_seen",
        "last_seen",
        "count",
        "explanation",
    }
    assert payload["first_seen"] == NOW.isoformat()


def test_the_periodic_job_runs_detection_for_every_organisation(org_a, org_b):
    from clinicshield.lib.due import discover, run_due

    store_history(org_a.slug)
    discover()
    summary = run_due(NOW, only=["monitoring.detect"])["monitoring.detect"]
    assert summary.startswith(f"{org_a.slug}: ")
    assert Alert.objects.filter(organisation=org_a).exists()
    assert DetectionRun.objects.filter(organisation=org_b).count() == 1
    # Run again for the same moment: nothing new happens.
    run_due(NOW, only=["monitoring.detect"])
    assert DetectionRun.objects.filter(organisation=org_b).count() == 1


def test_people_at_a_site_in_another_time_zone_are_judged_by_its_clock(org_a):
    from clinicshield.accounts.models import Person, Site

    tenerife = Site.objects.create(organisation=org_a, name="Tenerife", timezone="Atlantic/Canary")
    Person.objects.create(
        organisation=org_a, site=tenerife, name="Bea", email="bea@a.example", department="reception"
    )
    # 07:20 UTC on a Monday: 08:20 in Madrid (open), 07:20 in Tenerife (not yet open).
    write_events(
        settings.DATA_DIR,
        "auth",
        [signin(at("2025-02-03 07:20"), "bea"), signin(at("2025-02-03 07:20"), "carlos")],
        org=org_a.slug,
    )
    result = do_run_detection(org_a, at("2025-02-03 12:00"))
    assert [(a.user, a.params["time"]) for a in result.new_alerts] == [("bea", "07:20")]


def test_an_alert_status_reads_as_an_alert_in_spanish(org_a):
    alert = raise_one(org_a)
    with translation.override("es"):
        assert alert.get_status_display() == "Abierta"  # una alerta: not "Abierto"
