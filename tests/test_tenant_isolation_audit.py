"""Tenant isolation, from inside the other tenant: charlie (owner of organisation B, signed in
with his second factor) uses his *own* organisation's pages, forms and API with the ids of
alice's objects (organisation A). `tests/accounts/test_tenancy.py` proves that A's URLs are a
404 for him; these prove that each lookup by id, number or form field is also limited to the
organisation of the page, so guessing ids from B reads, changes and reveals nothing of A.
The last part checks that bob (a viewer of A) cannot do what needs a manager, IT or owner.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver

from clinicshield.accounts.actions import do_create_api_token, do_create_site_token
from clinicshield.accounts.core.site_signing import SiteCredential
from clinicshield.accounts.models import ApiToken, Organisation, Person, SiteToken
from clinicshield.exposure.actions import do_add_network
from clinicshield.exposure.models import Finding, Network, Scan
from clinicshield.monitoring.actions import do_raise_alert
from clinicshield.monitoring.models import Alert
from clinicshield.readiness import actions as readiness
from clinicshield.readiness.models import (
    CallTreeContact,
    Drill,
    Evidence,
    ImprovementTask,
    Incident,
    IncidentTask,
    PlaybookAdaptation,
)
from clinicshield.simulations.actions import do_create_campaign
from clinicshield.simulations.models import Campaign, ReportedMessage
from clinicshield.training.models import Assignment

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@dataclass
class AlicesThings:
    """One object of organisation A of each kind a page fetches by id."""

    person: Person
    network: Network
    scan: Scan
    alert: Alert
    incident: Incident
    task: IncidentTask
    evidence: Evidence
    improvement: ImprovementTask
    contact: CallTreeContact
    drill: Drill
    campaign: Campaign
    reported: ReportedMessage
    api_token: ApiToken
    site_token: SiteToken


@pytest.fixture
def alices(org_a: Organisation, alice: Any) -> AlicesThings:
    person = Person.objects.create(
        organisation=org_a, name="Ana García", email="ana@a.example", department="reception"
    )
    network = do_add_network(org_a, "Madrid", "clinical", "10.9.0.0/24", "test")
    scan = Scan.objects.create(
        organisation=org_a, network=network, targets="10.9.0.5", status="done", progress=100
    )
    Finding.objects.create(
        organisation=org_a,
        scan=scan,
        address="10.9.0.5",
        port=3389,
        proto="tcp",
        service="ms-wbt-server",
        severity="high",
        reason="remote_desktop",
        change="new",
    )
    alert = do_raise_alert(
        org_a,
        kind="new_country",
        severity="medium",
        key="new_country:ana:NG",
        explanation={"code": "new_country", "params": {"user": "ana", "country": "NG"}},
        ts=NOW,
        user="ana",
        src_ip="41.1.1.1",
    )
    incident = readiness.do_open_incident(
        org_a,
        title="Ransomware at reception",
        source="manual",
        playbook_key="ransomware",
        actor="test",
        notify=False,
    )
    upload = SimpleUploadedFile("firewall.log", b"deny 10.9.0.5 -> 45.9.1.1\n")
    evidence = readiness.do_add_evidence(incident, upload, "firewall log", "test")
    improvement = ImprovementTask.objects.create(
        organisation=org_a, incident=incident, title="Offline backups", created_at=NOW
    )
    contact = readiness.do_add_contact(org_a, "test", kind="it_support", name="MSP desk")
    drill = readiness.do_start_drill(org_a, "ransomware-friday-night", "en", "test", now=NOW)
    campaign = do_create_campaign(
        org_a,
        name="Spring drill",
        template_key="ehr-password-expiry",
        targets="all",
        smtp_host="127.0.0.1",
        smtp_port=2525,
        from_address="it@sim.example",
        base_url="http://testserver",
        actor="test",
    )
    reported = ReportedMessage.objects.create(
        organisation=org_a,
        mailbox_uid="7",
        reporter_email="ana@a.example",
        subject="Invoice overdue",
        verdict="suspicious",
        received_at=NOW,
    )
    do_create_api_token(org_a, "alice's SIEM", "it", "test")
    key = SiteCredential.parse(do_create_site_token(org_a.sites.get(), "front desk", "test"))
    return AlicesThings(
        person=person,
        network=network,
        scan=scan,
        alert=alert,
        incident=incident,
        task=incident.tasks.order_by("pk")[0],
        evidence=evidence,
        improvement=improvement,
        contact=contact,
        drill=drill,
        campaign=campaign,
        reported=reported,
        api_token=ApiToken.objects.get(organisation=org_a),
        site_token=SiteToken.objects.get(key_id=key.key_id),
    )


# Each URL of organisation B's pages, filled with the id (or number) of one of A's objects.
# B has none of these objects, so a lookup that forgot the organisation would find A's.
CROSS_ID_URLS = [
    "exposure/scans/{a.scan.pk}/",
    "exposure/networks/{a.network.pk}/remove/",
    "monitoring/alerts/{a.alert.pk}/",
    "monitoring/alerts/{a.alert.pk}/resolve/",
    "monitoring/alerts/{a.alert.pk}/false_positive/",
    "monitoring/alerts/{a.alert.pk}/incident/",
    "readiness/incidents/{a.incident.number}/",
    "readiness/incidents/{a.incident.number}/tasks/{a.task.pk}/",
    "readiness/incidents/{a.incident.number}/notes/",
    "readiness/incidents/{a.incident.number}/evidence/{a.evidence.pk}/",
    "readiness/incidents/{a.incident.number}/evidence/",
    "readiness/incidents/{a.incident.number}/facts/",
    "readiness/incidents/{a.incident.number}/notified/",
    "readiness/incidents/{a.incident.number}/contained/",
    "readiness/incidents/{a.incident.number}/close/",
    "readiness/call-tree/{a.contact.pk}/delete/",
    "readiness/improvements/{a.improvement.pk}/close/",
    "readiness/drills/{a.drill.pk}/",
    "readiness/drills/{a.drill.pk}/next/",
    "readiness/drills/{a.drill.pk}/decision/",
    "readiness/drills/{a.drill.pk}/finish/",
    "readiness/drills/{a.drill.pk}/report/",
    "readiness/drills/{a.drill.pk}/report.pdf",
    "simulations/campaigns/{a.campaign.pk}/",
    "simulations/campaigns/{a.campaign.pk}/launch/",
    "simulations/triage/{a.reported.pk}/",
    "people/{a.person.pk}/link/",
]


def assert_alices_things_untouched(a: AlicesThings) -> None:
    assert Network.objects.filter(pk=a.network.pk).exists()
    a.alert.refresh_from_db()
    assert a.alert.status == "open"
    a.incident.refresh_from_db()
    assert a.incident.status == "open" and a.incident.affected_individuals is None
    assert a.incident.notified == [] and a.incident.evidence.count() == 1
    assert not a.incident.timeline.filter(kind="note").exists()
    a.task.refresh_from_db()
    assert a.task.status == "todo"
    assert CallTreeContact.objects.filter(pk=a.contact.pk).exists()
    a.improvement.refresh_from_db()
    assert a.improvement.closed_at is None
    a.drill.refresh_from_db()
    assert a.drill.status == "running" and a.drill.shown == [] and not a.drill.decisions.exists()
    a.campaign.refresh_from_db()
    assert a.campaign.state == "draft" and a.campaign.launched_at is None
    a.reported.refresh_from_db()
    assert a.reported.triage_state == "open"
    assert not Incident.objects.filter(source="alert").exists()


@pytest.mark.parametrize("route", CROSS_ID_URLS)
def test_charlie_gets_404_on_his_own_pages_with_the_id_of_alices_object(
    client_charlie: Client, org_b: Organisation, alices: AlicesThings, route: str
) -> None:
    url = f"/o/{org_b.slug}/" + route.format(a=alices)
    assert client_charlie.get(url).status_code in (404, 405)
    # htmx partials (scan progress, drill answers, campaign results) are the same lookups
    assert client_charlie.get(url, HTTP_HX_REQUEST="true").status_code in (404, 405)
    form = {
        "status": "done",
        "text": "seen",
        "question": "q1",
        "reason": "x",
        "triage_state": "harmless",
        "root_cause": "x",
        "lessons": "x",
        "went_well": "x",
        "affected": "500",
        "code": "gdpr_authority",
        "file": SimpleUploadedFile("x.txt", b"x"),
    }
    assert client_charlie.post(url, form).status_code == 404
    assert_alices_things_untouched(alices)


def test_the_cross_id_list_covers_every_page_that_takes_an_object_id() -> None:
    """A new organisation page with an id in its URL must be added to CROSS_ID_URLS."""
    routes: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif route.startswith("o/<slug:org_slug>/") and "<int:" in route:
                routes.append(route.removeprefix("o/<slug:org_slug>/"))

    walk(get_resolver().url_patterns, "")
    listed = [re.sub(r"\{a\.[a-z_.]+\}", "<id>", route) for route in CROSS_ID_URLS]
    found = [re.sub(r"<int:[a-z_]+>", "<id>", route) for route in routes]
    listed += [route.replace("resolve/", "<str:action>/") for route in listed]
    # the site's sensors page: tests/accounts/test_site_tokens.py checks it from B's side
    assert sorted(set(found) - set(listed)) == ["people/sites/<id>/"]
    assert len(found) > 20


def test_charlie_cannot_see_alices_objects_through_the_htmx_partials_either(
    client_charlie: Client,
    client_alice: Client,
    org_a: Organisation,
    org_b: Organisation,
    alices: AlicesThings,
) -> None:
    """The control: alice's own partial is a 200 with her data, charlie's the plain 404."""
    own = client_alice.get(
        f"/o/{org_a.slug}/exposure/scans/{alices.scan.pk}/", HTTP_HX_REQUEST="true"
    )
    assert own.status_code == 200 and "3389" in own.content.decode()
    theirs = client_charlie.get(
        f"/o/{org_b.slug}/exposure/scans/{alices.scan.pk}/", HTTP_HX_REQUEST="true"
    )
    assert theirs.status_code == 404 and "3389" not in theirs.content.decode()


# --- form fields and POSTed ids that name another organisation's object ----------------------


def test_charlie_cannot_assign_training_to_alices_staff_from_his_page(
    client_charlie: Client, org_b: Organisation, alices: AlicesThings
) -> None:
    response = client_charlie.post(
        f"/o/{org_b.slug}/training/assign/",
        {"person": alices.person.pk, "module": "phishing"},
    )
    assert response.status_code == 404
    assert not Assignment.objects.filter(person=alices.person).exists()


def test_charlie_cannot_revoke_alices_api_token_from_his_tokens_page(
    client_charlie: Client, org_b: Organisation, alices: AlicesThings
) -> None:
    url = f"/o/{org_b.slug}/people/tokens/"
    assert client_charlie.post(url, {"revoke": alices.api_token.pk}).status_code == 404
    alices.api_token.refresh_from_db()
    assert alices.api_token.revoked_at is None


def test_charlie_cannot_rotate_alices_site_token_from_his_own_site(
    client_charlie: Client, org_b: Organisation, alices: AlicesThings
) -> None:
    url = f"/o/{org_b.slug}/people/sites/{org_b.sites.get().pk}/"
    response = client_charlie.post(url, {"rotate": alices.site_token.pk})
    assert response.status_code == 404
    alices.site_token.refresh_from_db()
    assert alices.site_token.revoked_at is None
    assert SiteToken.objects.filter(organisation=org_b).count() == 0


@pytest.mark.parametrize("value", ["abc", "1 OR 1=1", "-3", "١", "9" * 30, ""])
def test_a_tampered_posted_id_finds_nothing_instead_of_failing(
    client_charlie: Client, org_b: Organisation, value: str
) -> None:
    site = org_b.sites.get().pk
    posts = [
        ("training/assign/", {"person": value, "module": "phishing"}),
        ("people/tokens/", {"revoke": value}),
        (f"people/sites/{site}/", {"revoke": value}),
        (f"people/sites/{site}/", {"rotate": value}),
    ]
    for page, data in posts:
        assert client_charlie.post(f"/o/{org_b.slug}/{page}", data).status_code == 404, page


def test_a_task_of_charlies_incident_cannot_be_given_to_alice(
    client_charlie: Client, org_b: Organisation, alice: Any
) -> None:
    incident = readiness.do_open_incident(
        org_b,
        title="Lost laptop",
        source="manual",
        playbook_key="lost-device",
        actor="test",
        notify=False,
    )
    task = incident.tasks.order_by("pk")[0]
    url = f"/o/{org_b.slug}/readiness/incidents/{incident.number}/tasks/{task.pk}/"
    client_charlie.post(url, {"status": "doing", "owner": alice.pk})
    task.refresh_from_db()
    assert task.status == "doing" and task.owner is None


def test_a_campaign_of_charlie_cannot_target_alices_site_or_staff(
    client_charlie: Client, org_a: Organisation, org_b: Organisation, alices: AlicesThings
) -> None:
    org_a.sites.create(name="Toledo", timezone="Europe/Madrid")
    form = {
        "name": "Mine",
        "template": "ehr-password-expiry",
        "smtp_host": "127.0.0.1",
        "smtp_port": 2525,
        "from_address": "it@sim.example",
        "base_url": "https://drills.clinic-b.example",
        "days": 1,
        "rate_per_minute": 30,
    }
    for targets in ("site:Toledo", f"list:{alices.person.email}"):
        response = client_charlie.post(
            f"/o/{org_b.slug}/simulations/new/", form | {"targets": targets}
        )
        assert response.status_code == 200  # the form again, with the choice refused
        assert list(response.context["form"].errors) == ["targets"]
    assert not Campaign.objects.filter(organisation=org_b).exists()


# --- the API: another organisation's token and ids --------------------------------------------


def bearer(org: Organisation, role: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {do_create_api_token(org, 'script', role, 'test')}")


def test_another_organisations_token_cannot_read_a_scans_findings(
    org_b: Organisation, alices: AlicesThings
) -> None:
    charlie = bearer(org_b, "owner")
    assert charlie.get(f"/api/exposure/scans/{alices.scan.pk}/findings").status_code == 404
    assert charlie.get("/api/exposure/networks").json() == []


def test_another_organisations_it_token_cannot_triage_an_alert(
    org_b: Organisation, alices: AlicesThings
) -> None:
    charlie = bearer(org_b, "it")
    for action in ("resolve", "false_positive", "incident"):
        assert charlie.post(f"/api/monitoring/alerts/{alices.alert.pk}/{action}").status_code == 404
    assert_alices_things_untouched(alices)


def test_another_organisations_token_reads_nothing_of_the_lists(
    org_b: Organisation, alices: AlicesThings
) -> None:
    charlie = bearer(org_b, "owner")
    for path in (
        "/api/accounts/people?active=true",
        "/api/exposure/scans",
        "/api/monitoring/alerts",
        "/api/readiness/incidents",
        "/api/readiness/drills",
        "/api/simulations/campaigns",
        "/api/simulations/reports",
        "/api/training/status",
    ):
        response = charlie.get(path)
        assert response.status_code == 200 and response.json() == [], path


# --- roles: bob is a viewer of A ------------------------------------------------------------


VIEWER_REFUSED = [
    "exposure/networks/add/",
    "exposure/networks/{a.network.pk}/remove/",
    "exposure/scans/start/",
    "monitoring/alerts/{a.alert.pk}/resolve/",
    "monitoring/people/ana/service-account/",
    "readiness/incidents/new/",
    "readiness/incidents/{a.incident.number}/close/",
    "readiness/incidents/{a.incident.number}/evidence/{a.evidence.pk}/",
    "readiness/call-tree/{a.contact.pk}/delete/",
    "readiness/improvements/{a.improvement.pk}/close/",
    "readiness/report-page/rotate/",
    "readiness/drills/{a.drill.pk}/next/",
    "simulations/new/",
    "simulations/campaigns/{a.campaign.pk}/launch/",
    "simulations/triage/{a.reported.pk}/",
    "training/assign/",
    "people/tokens/",
    "people/settings/",
    "people/audit/",
]


@pytest.mark.parametrize("route", VIEWER_REFUSED)
def test_a_viewer_is_refused_what_needs_a_higher_role(
    client_bob: Client, org_a: Organisation, alices: AlicesThings, route: str
) -> None:
    url = f"/o/{org_a.slug}/" + route.format(a=alices)
    form = {
        "status": "done",
        "triage_state": "harmless",
        "root_cause": "x",
        "lessons": "x",
        "person": alices.person.pk,
        "module": "phishing",
        "revoke": alices.api_token.pk,
        "site": "Madrid",
        "zone": "lab",
        "cidr": "10.8.0.0/24",
        "targets": "10.9.0.5",
    }
    assert client_bob.post(url, form).status_code == 403
    assert_alices_things_untouched(alices)
    alices.api_token.refresh_from_db()
    assert alices.api_token.revoked_at is None
    assert not Network.objects.filter(cidr="10.8.0.0/24").exists()
    assert not Assignment.objects.exists()


def test_a_viewer_posting_to_the_pages_they_may_read_changes_nothing(
    client_bob: Client, org_a: Organisation, alices: AlicesThings
) -> None:
    base = f"/o/{org_a.slug}"
    client_bob.post(f"{base}/readiness/call-tree/", {"kind": "police", "name": "Guardia Civil"})
    client_bob.post(f"{base}/readiness/playbooks/ransomware/", {"skip-isolate": "1"})
    client_bob.post(f"{base}/readiness/drills/", {"scenario": "lost-laptop", "language": "en"})
    assert client_bob.post(f"{base}/people/sites/", {"name": "Sevilla"}).status_code == 403
    assert not CallTreeContact.objects.filter(name="Guardia Civil").exists()
    assert not PlaybookAdaptation.objects.exists()
    assert Drill.objects.filter(organisation=org_a).count() == 1
    assert not org_a.sites.filter(name="Sevilla").exists()
