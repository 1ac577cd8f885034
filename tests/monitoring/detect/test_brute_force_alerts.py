"""Brute force alerts: what they show, how they grow, when a new one opens, their email."""

from datetime import timedelta
from email.header import decode_header, make_header

from django.conf import settings
from django.utils import translation

from clinicshield.accounts.models import Membership, Person
from clinicshield.monitoring.actions import do_raise_alert, do_run_detection
from clinicshield.monitoring.core.detectors.context import DetectionContext
from clinicshield.monitoring.core.detectors.failures import detect_brute_force
from clinicshield.monitoring.models import Alert
from clinicshield.monitoring.words import render

from ...conftest import body_text
from .conftest import at, signin, write_events

ATTACKER = "177.32.4.4"
SPRAYER = "95.165.33.7"


def failure(ts, user, src_ip=ATTACKER, ref=""):
    return signin(ts, user, outcome="failure", src_ip=src_ip, logon_type="network", record_ref=ref)


def burst(start, user="beatriz.molina", n=30, src_ip=ATTACKER, every_s=6):
    return [
        failure(at(start) + timedelta(seconds=every_s * i), user, src_ip, ref=f"{start} #{i}")
        for i in range(n)
    ]


def raise_night_sign_in(org):
    """An alert that notifies: what the email tests send."""
    return do_raise_alert(
        org,
        kind="off_hours",
        severity="high",
        key="off_hours:ana",
        explanation="Ana signed in at 03:12",
        ts=at("2026-11-26 11:42"),
        user="ana",
    )


def sentence(alert):
    with translation.override("en"):
        return render(alert.code, alert.params)


def test_a_stray_failure_hours_before_the_burst_is_not_the_alert(store, con):
    # One failure of a password spray 18 hours earlier, then 30 from the attacker.
    rows = [failure(at("2025-02-01 04:30"), "beatriz.molina", SPRAYER, ref="spray")]
    rows += burst("2025-02-01 22:30")
    store("auth", rows)
    ctx = DetectionContext(start=at("2025-02-01 00:00"), end=at("2025-02-02 00:00"))
    [finding] = detect_brute_force(con, store.table("auth"), ctx)
    assert finding.src_ip == ATTACKER
    assert finding.first_seen == at("2025-02-01 22:30")
    assert finding.count == 30
    assert finding.evidence["record_refs"] == ["2025-02-01 22:30 #0"]
    assert finding.params["sources"] == 1


def test_failures_spread_over_many_addresses_name_none(store, con, db):
    rows = [
        failure(at("2025-02-01 10:00") + timedelta(seconds=20 * i), "ana", f"198.51.100.{i}")
        for i in range(12)
    ]
    store("auth", rows)
    ctx = DetectionContext(start=at("2025-02-01 00:00"), end=at("2025-02-02 00:00"))
    [finding] = detect_brute_force(con, store.table("auth"), ctx)
    assert finding.src_ip == ""
    with translation.override("en"):
        text = render(finding.code, finding.params)
    assert text == "12 failed sign-ins for ana from 12 addresses, up to 12 within 10 minutes."


def test_a_growing_alert_counts_each_failure_once_and_says_so(org_a):
    write_events(settings.DATA_DIR, "auth", burst("2025-02-01 10:00", "ana", 12), org=org_a.slug)
    do_run_detection(org_a, at("2025-02-01 10:30"), start=at("2025-02-01 00:00"))
    alert = Alert.objects.get(organisation=org_a, kind="brute_force")
    assert (alert.count, alert.src_ip) == (12, ATTACKER)
    assert sentence(alert) == (
        f"12 failed sign-ins for ana from {ATTACKER}, up to 12 within 10 minutes."
    )
    # A second burst from another address; the next pass re-reads the first one (overlap).
    later = burst("2025-02-01 10:40", "ana", 15, src_ip="203.0.113.50")
    write_events(settings.DATA_DIR, "auth", later, org=org_a.slug)
    do_run_detection(org_a, at("2025-02-01 11:00"))
    alert.refresh_from_db()
    assert alert.count == 27
    assert alert.src_ip == "203.0.113.50"  # 15 of 27
    assert alert.first_seen == at("2025-02-01 10:00")
    assert sentence(alert) == (
        "27 failed sign-ins for ana, mostly from 203.0.113.50 (2 addresses in all), "
        "up to 15 within 10 minutes."
    )
    assert Alert.objects.filter(organisation=org_a, kind="brute_force").count() == 1


def test_a_burst_after_a_quiet_day_opens_a_new_alert(org_a):
    rows = burst("2025-02-01 10:00", "ana", 12) + burst("2025-02-01 20:00", "ana", 12)
    rows += burst("2025-02-05 03:00", "ana", 20)
    write_events(settings.DATA_DIR, "auth", rows, org=org_a.slug)
    do_run_detection(org_a, at("2025-02-06 00:00"), start=at("2025-02-01 00:00"))
    alerts = Alert.objects.filter(organisation=org_a, kind="brute_force").order_by("first_seen")
    assert [(a.first_seen, a.last_seen, a.count) for a in alerts] == [
        (at("2025-02-01 10:00"), at("2025-02-01 20:01:06"), 24),
        (at("2025-02-05 03:00"), at("2025-02-05 03:01:54"), 20),
    ]
    assert [a.status for a in alerts] == ["open", "open"]


def test_a_burst_after_a_quiet_day_opens_a_new_alert_pass_after_pass(org_a):
    write_events(settings.DATA_DIR, "auth", burst("2025-02-01 10:00", "ana", 12), org=org_a.slug)
    do_run_detection(org_a, at("2025-02-01 11:00"), start=at("2025-02-01 00:00"))
    write_events(settings.DATA_DIR, "auth", burst("2025-02-03 09:00", "ana", 12), org=org_a.slug)
    do_run_detection(org_a, at("2025-02-03 10:00"), start=at("2025-02-03 00:00"))
    assert Alert.objects.filter(organisation=org_a, kind="brute_force").count() == 2


def test_the_alert_email_links_the_alert_and_speaks_the_clinic_time_in_both_languages(
    org_a, alice, smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://shield.clinic.example"
    org_a.timezone = "Europe/Madrid"
    org_a.save(update_fields=["timezone"])
    with django_capture_on_commit_callbacks(execute=True):
        alert = raise_night_sign_in(org_a)
    [message] = smtp_server.messages
    body = body_text(message)
    url = f"https://shield.clinic.example/o/{org_a.slug}/monitoring/alerts/{alert.pk}/"
    assert url in body
    assert "2026-11-26T11:42" not in body
    assert "Nov. 26, 2026, 12:42 p.m. (Europe/Madrid)" in body  # 11:42 UTC is 12:42 in Madrid
    assert "26 de noviembre de 2026 a las 12:42 (Europe/Madrid)" in body
    assert body.index("First seen") < body.index("Vista por primera vez")
    assert "Sign-in at an unusual hour" in message["Subject"]


def test_the_brute_force_sentences_are_spanish_too():
    params = {"failures": 43, "peak": 30, "minutes": 10, "user": "Ana", "sources": 2}
    with translation.override("es"):
        mostly = render("brute_force.user", {**params, "src_ip": "203.0.113.50"})
        spread = render("brute_force.user", {**params, "src_ip": ""})
    assert mostly == (
        "43 inicios de sesión fallidos de Ana, la mayoría desde 203.0.113.50 "
        "(2 direcciones en total), hasta 30 en 10 minutos."
    )
    assert (
        spread
        == "43 inicios de sesión fallidos de Ana desde 2 direcciones, hasta 30 en 10 minutos."
    )


def spray(start, n_users, src_ip=SPRAYER, every_s=20):
    return [
        failure(at(start) + timedelta(seconds=every_s * i), f"user{i}", src_ip, ref=f"s{start}#{i}")
        for i in range(n_users)
    ]


def test_a_spray_alert_counts_each_failure_once_across_overlapping_passes(org_a):
    write_events(settings.DATA_DIR, "auth", spray("2025-02-01 10:00", 12), org=org_a.slug)
    do_run_detection(org_a, at("2025-02-01 10:30"), start=at("2025-02-01 00:00"))
    alert = Alert.objects.get(organisation=org_a, kind="password_spray")
    assert (alert.count, alert.params["users"], alert.params["failures"]) == (12, 12, 12)
    # The next pass re-reads the last hour (the same twelve) and finds ten new accounts.
    write_events(settings.DATA_DIR, "auth", spray("2025-02-01 10:40", 10), org=org_a.slug)
    do_run_detection(org_a, at("2025-02-01 11:00"))
    alert.refresh_from_db()
    assert alert.count == 22  # not 12 + 22
    assert sentence(alert) == (
        f"{SPRAYER} tried passwords on 12 different accounts (22 failures): a password spray."
    )
    # Examining the same hours again adds nothing.
    do_run_detection(org_a, at("2025-02-01 11:00"), start=at("2025-02-01 09:00"))
    alert.refresh_from_db()
    assert alert.count == 22


def test_a_recipient_on_the_staff_roster_gets_the_alert_in_their_language_only(
    org_a, alice, bob, smtp_server, django_capture_on_commit_callbacks
):
    # Bob, now IT, is on the roster in Spanish; Alice (owner) is not on it: both languages.
    Membership.objects.filter(organisation=org_a, user=bob).update(role="it")
    Person.objects.create(
        organisation=org_a, name="Bob", email=bob.email, department="admin", language="es"
    )
    with django_capture_on_commit_callbacks(execute=True):
        raise_night_sign_in(org_a)
    by_recipient = {m["To"]: m for m in smtp_server.messages}
    assert set(by_recipient) == {alice.email, bob.email}
    spanish = by_recipient[bob.email]
    assert "Inicio de sesión" in str(make_header(decode_header(spanish["Subject"])))
    assert "First seen" not in body_text(spanish) and "Vista por primera vez" in body_text(spanish)
    both = body_text(by_recipient[alice.email])
    assert "First seen" in both and "Vista por primera vez" in both
