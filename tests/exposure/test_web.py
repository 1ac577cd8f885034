"""Pages, API and scheduled scans, on demo-like data recorded without any network."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clinicshield.accounts.actions import do_create_api_token
from clinicshield.accounts.models import Organisation
from clinicshield.exposure import demo
from clinicshield.exposure.actions import do_add_network
from clinicshield.exposure.due import queue_scheduled_scans
from clinicshield.exposure.models import Network, Scan, SegmentationPolicy


@pytest.fixture
def seeded(org_a: Organisation) -> Organisation:
    demo.seed(org_a, timezone.now())
    return org_a


def test_the_overview_lists_findings_by_risk_with_advice(
    client_alice: Client, seeded: Organisation
) -> None:
    page = client_alice.get(f"/o/{seeded.slug}/exposure/").content.decode()
    assert 'data-severity="critical"' in page
    assert "10.20.40.11" in page  # telnet on a medical device
    assert "AnyDesk" in page or "7070" in page
    assert "is newly open" in page  # the drift timeline


def test_a_scan_page_shows_its_findings_and_changes(
    client_alice: Client, seeded: Organisation
) -> None:
    scan = Scan.objects.filter(organisation=seeded, network__cidr="10.20.10.0/24").first()
    assert scan is not None
    page = client_alice.get(f"/o/{seeded.slug}/exposure/scans/{scan.pk}/").content.decode()
    assert "7070/tcp" in page and "3389/tcp" in page
    partial = client_alice.get(
        f"/o/{seeded.slug}/exposure/scans/{scan.pk}/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert partial.startswith('<div id="progress"') and "hx-trigger" not in partial  # done


def test_a_host_page_shows_what_is_open_and_its_history(
    client_alice: Client, seeded: Organisation
) -> None:
    page = client_alice.get(f"/o/{seeded.slug}/exposure/hosts/10.20.10.12/")
    assert page.status_code == 404
    page = client_alice.get(f"/o/{seeded.slug}/exposure/hosts/10.20.20.15/").content.decode()
    assert "2575/tcp" in page and "OpenSSH_9.6" in page


def test_the_matrix_is_a_picture_of_the_latest_verdicts(
    client_alice: Client, seeded: Organisation
) -> None:
    response = client_alice.get(f"/o/{seeded.slug}/exposure/segmentation/matrix.svg")
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.count('data-state="violated"') == 2  # guest->servers, clinical->devices
    assert 'data-state="blocked"' in svg and 'data-state="allowed"' in svg
    assert 'data-state="untested"' in svg  # lab->servers was never probed


def test_it_saves_a_valid_policy_and_explains_an_invalid_one(
    client_alice: Client, seeded: Organisation
) -> None:
    url = f"/o/{seeded.slug}/exposure/segmentation/"
    bad = client_alice.post(url, {"text": "zones: {a: [10.0.0.0/8]}\nrules: [{from: a, to: b}]"})
    assert "is not a zone of this policy" in bad.content.decode()
    good = "zones: {a: [10.0.0.0/8], b: [10.1.0.0/16]}\nrules: [{from: a, to: b}]\n"
    assert client_alice.post(url, {"text": good}).status_code == 302
    assert SegmentationPolicy.objects.get(organisation=seeded).text == good


def test_viewers_cannot_change_networks_or_policy(client_bob: Client, seeded: Organisation) -> None:
    network = Network.objects.filter(organisation=seeded).first()
    assert network is not None
    response = client_bob.post(f"/o/{seeded.slug}/exposure/networks/{network.pk}/remove/")
    assert response.status_code == 403
    before = SegmentationPolicy.objects.get(organisation=seeded).text
    client_bob.post(f"/o/{seeded.slug}/exposure/segmentation/", {"text": "zones: {}"})
    assert SegmentationPolicy.objects.get(organisation=seeded).text == before


def test_another_organisation_sees_nothing(client_charlie: Client, seeded: Organisation) -> None:
    scan = Scan.objects.filter(organisation=seeded).first()
    assert scan is not None
    assert client_charlie.get(f"/o/{seeded.slug}/exposure/").status_code == 404
    assert client_charlie.get(f"/o/{seeded.slug}/exposure/scans/{scan.pk}/").status_code == 404


def test_the_web_refuses_to_scan_an_unregistered_network(
    client_alice: Client, seeded: Organisation
) -> None:
    response = client_alice.post(
        f"/o/{seeded.slug}/exposure/scans/start/",
        {"targets": "8.8.8.8", "ports": "clinic"},
        follow=True,
    )
    assert "8.8.8.8 is not inside any network registered" in response.content.decode()
    assert not Scan.objects.filter(targets__contains="8.8.8.8").exists()


def api(token: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_api_lists_scans_and_refuses_out_of_scope_targets(
    seeded: Organisation, org_b: Organisation
) -> None:
    client = Client()
    token = do_create_api_token(seeded, "msp", "it", "test")
    scans = client.get("/api/exposure/scans", **api(token)).json()
    assert len(scans) == 12
    with_ports = next(s for s in scans if s["network"] == "10.20.10.0/24")
    findings = client.get(f"/api/exposure/scans/{with_ports['id']}/findings", **api(token)).json()
    assert {"host", "port", "risk", "advice", "change"} <= set(findings[0])
    refused = client.post(
        "/api/exposure/scans",
        json.dumps({"targets": ["10.99.0.1"]}),
        content_type="application/json",
        **api(token),
    )
    assert refused.status_code == 403 and refused.json()["code"] == "out_of_scope"
    other = do_create_api_token(org_b, "b", "owner", "test")
    assert client.get("/api/exposure/scans", **api(other)).json() == []
    assert client.get(f"/api/exposure/scans/{scans[0]['id']}", **api(other)).status_code == 404
    viewer = do_create_api_token(seeded, "v", "viewer", "test")
    denied = client.post(
        "/api/exposure/scans",
        json.dumps({"targets": ["10.20.10.5"]}),
        content_type="application/json",
        **api(viewer),
    )
    assert denied.status_code == 403


def test_the_api_queues_a_scan_through_the_action(
    org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    do_add_network(org_a, "Madrid", "servers", "127.77.5.0/24", "test")
    token = do_create_api_token(org_a, "msp", "it", "test")
    with django_capture_on_commit_callbacks() as queued:
        response = Client().post(
            "/api/exposure/scans",
            json.dumps({"targets": ["127.77.5.7"], "ports": "22"}),
            content_type="application/json",
            **api(token),
        )
    assert response.status_code == 202
    [scan] = response.json()
    assert (scan["status"], scan["network"], scan["ports"]) == ("queued", "127.77.5.0/24", "22")
    assert len(queued) == 1


def test_the_demo_networks_are_never_scanned_on_a_schedule(seeded: Organisation) -> None:
    assert (
        queue_scheduled_scans(timezone.now() + timedelta(days=30)) == "queued 0 scheduled scan(s)"
    )


def test_scheduled_scans_are_queued_once_per_period(
    org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    # Loopback blocks: the queued scans never run here (no worker, on_commit not executed),
    # and even if they did they could not leave the machine.
    for cidr in ("127.77.1.0/24", "127.77.2.0/24"):
        do_add_network(org_a, "Madrid", "servers", cidr, "test")
    now = timezone.now()
    with django_capture_on_commit_callbacks() as queued:
        assert queue_scheduled_scans(now) == "queued 2 scheduled scan(s)"  # never scanned yet
    assert len(queued) == 2  # one job per scan, queued by do_start_scan
    assert queue_scheduled_scans(now) == "queued 0 scheduled scan(s)"  # idempotent
    assert queue_scheduled_scans(now + timedelta(days=6)) == "queued 0 scheduled scan(s)"
    assert queue_scheduled_scans(now + timedelta(days=7)) == "queued 2 scheduled scan(s)"
    assert Scan.objects.filter(organisation=org_a, status="queued").count() == 4


def test_scan_now_queues_a_scan_and_shows_its_progress(
    client_alice: Client, org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    do_add_network(org_a, "Madrid", "servers", "127.77.3.0/24", "test")
    with django_capture_on_commit_callbacks() as queued:
        response = client_alice.post(
            f"/o/{org_a.slug}/exposure/scans/start/",
            {"targets": "127.77.3.10", "ports": "top100"},
        )
    assert len(queued) == 1  # one job, queued by the action (not a second by the page)
    scan = Scan.objects.get(organisation=org_a)
    assert response["Location"].endswith(f"/exposure/scans/{scan.pk}/")
    assert (scan.status, scan.ports, scan.targets) == ("queued", "top100", "127.77.3.10")
    page = client_alice.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in page


def test_the_pages_and_advice_speak_spanish(client_alice: Client, seeded: Organisation) -> None:
    client_alice.cookies["django_language"] = "es"
    page = client_alice.get(f"/o/{seeded.slug}/exposure/", HTTP_ACCEPT_LANGUAGE="es")
    text = page.content.decode()
    assert "Hallazgos por riesgo" in text
    assert "Elimine AnyDesk" in text  # knowledge base advice in Spanish
