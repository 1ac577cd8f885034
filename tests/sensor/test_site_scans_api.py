"""/api/sensor/scan-plan and /scan-results: the scans of a site's networks are handed to
that site's sensor, and only to it; what it saw is stored as a central scan's."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from clinicshield.accounts.actions import do_create_site, do_create_site_token
from clinicshield.accounts.models import Organisation
from clinicshield.exposure.actions import do_add_network, do_claim_site_scans, do_start_scan
from clinicshield.exposure.models import Finding, Network, Scan
from clinicshield.monitoring.models import Alert
from tests.sensor.signed import post_json

PLAN, RESULTS, HEALTH = "/api/sensor/scan-plan", "/api/sensor/scan-results", "/api/sensor/health"
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def chain(org_a: Organisation, org_b: Organisation) -> dict[str, Any]:
    """Madrid (org A) and Norte (org A) with a sensor each, Madrid of org B with one, and
    Sur (org A) without a sensor; one network each."""
    madrid, norte = org_a.sites.get(name="Madrid"), do_create_site(org_a, "Norte", "test")
    sur, other = do_create_site(org_a, "Sur", "test"), org_b.sites.get()
    do_add_network(org_a, "Madrid", "clinical", "10.213.20.0/29", "test")
    do_add_network(org_a, "Norte", "clinical", "10.213.21.0/29", "test")
    do_add_network(org_a, "Sur", "clinical", "10.213.22.0/29", "test")
    do_add_network(org_b, "Madrid", "clinical", "10.213.23.0/29", "test")
    return {
        "a": do_create_site_token(madrid, "pc1", "test"),
        "norte": do_create_site_token(norte, "pc1", "test"),
        "b": do_create_site_token(other, "pc1", "test"),
        "madrid": madrid,
        "sur": sur,
    }


def start(org: Organisation, cidr: str, capture: Any) -> tuple[Scan, list[Any]]:
    with capture() as queued:
        (scan,) = do_start_scan(org, [cidr], "22,445,5900", "test")
    return scan, queued


def claim(client: Client, token: str) -> list[dict[str, Any]]:
    response = post_json(client, token, PLAN, {"sensor": "pc1"})
    assert response.status_code == 200, response.content
    return list(response.json()["scans"])


def report(scan: int, ports: list[tuple[str, int]], hosts: list[str] | None = None) -> Any:
    return {
        "scan": scan,
        "hosts_up": hosts if hosts is not None else sorted({a for a, _p in ports}),
        "open_ports": [{"address": a, "port": p, "proto": "tcp", "service": ""} for a, p in ports],
    }


def test_a_network_of_a_site_with_a_sensor_is_left_to_it_and_no_job_is_queued(
    chain: dict[str, Any],
    org_a: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    by_sensor, queued = start(org_a, "10.213.20.0/29", django_capture_on_commit_callbacks)
    assert (by_sensor.runner, by_sensor.status, queued) == ("sensor", "queued", [])
    central, queued = start(org_a, "10.213.22.0/29", django_capture_on_commit_callbacks)
    assert central.runner == "worker" and len(queued) == 1  # Sur has no sensor: a job


def test_each_sensor_gets_its_own_sites_scans_and_nothing_else(
    client: Client,
    chain: dict[str, Any],
    org_a: Organisation,
    org_b: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    madrid, _ = start(org_a, "10.213.20.0/29", django_capture_on_commit_callbacks)
    norte, _ = start(org_a, "10.213.21.0/29", django_capture_on_commit_callbacks)
    other, _ = start(org_b, "10.213.23.0/29", django_capture_on_commit_callbacks)
    health = post_json(client, chain["a"], HEALTH, {"sensor": "pc1"}).json()
    assert health["scans_waiting"] == 1
    (order,) = claim(client, chain["a"])
    assert order == {
        "scan": madrid.pk,
        "network": "10.213.20.0/29",
        "zone": "clinical",
        "from_zone": "",
        "addresses": [f"10.213.20.{n}" for n in range(1, 7)],
        "ports": [22, 445, 5900],
    }
    madrid.refresh_from_db()
    assert (madrid.status, madrid.sensor) == ("running", "pc1")
    assert claim(client, chain["a"]) == []  # taken: not handed out twice
    assert [o["scan"] for o in claim(client, chain["norte"])] == [norte.pk]
    assert [o["scan"] for o in claim(client, chain["b"])] == [other.pk]


def test_another_sites_or_organisations_token_cannot_post_a_scans_results(
    client: Client,
    chain: dict[str, Any],
    org_a: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    madrid, _ = start(org_a, "10.213.20.0/29", django_capture_on_commit_callbacks)
    claim(client, chain["a"])
    for stranger in ("norte", "b"):
        response = post_json(client, chain[stranger], RESULTS, report(madrid.pk, []))
        assert response.status_code == 404, response.content
        assert response.json()["code"] == "not_found"
    madrid.refresh_from_db()
    assert madrid.status == "running" and not Finding.objects.exists()


def test_results_are_stored_with_drift_and_a_new_port_alert_as_a_central_scan(
    client: Client,
    chain: dict[str, Any],
    org_a: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    first, _ = start(org_a, "10.213.20.0/29", django_capture_on_commit_callbacks)
    claim(client, chain["a"])
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_json(client, chain["a"], RESULTS, report(first.pk, [("10.213.20.3", 22)]))
    assert answer.json() == {
        "scan": first.pk,
        "status": "stored",
        "scan_status": "done",
        "findings": 1,
        "changes": 0,
    }
    assert not Alert.objects.exists()  # the first scan is the baseline
    second, _ = start(org_a, "10.213.20.0/29", django_capture_on_commit_callbacks)
    claim(client, chain["a"])
    seen = [("10.213.20.3", 22), ("10.213.20.3", 5900)]
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_json(client, chain["a"], RESULTS, report(second.pk, seen))
    assert answer.status_code == 200 and answer.json()["changes"] == 1
    change = second.changes.get()
    assert (change.kind, change.address, change.port) == ("new_port", "10.213.20.3", 5900)
    alert = Alert.objects.get(organisation=org_a)
    assert (alert.kind, alert.key, alert.severity) == (
        "exposure.new_port",
        "10.213.20.3:5900/tcp",
        second.findings.get(port=5900).severity,
    )
    again = post_json(client, chain["a"], RESULTS, report(second.pk, seen))  # a lost answer
    assert again.json()["status"] == "duplicate" and second.findings.count() == 2


def test_a_report_naming_an_address_the_scan_was_not_given_is_refused_whole(
    client: Client,
    chain: dict[str, Any],
    org_a: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    scan, _ = start(org_a, "10.213.20.0/29", django_capture_on_commit_callbacks)
    claim(client, chain["a"])
    outside = report(scan.pk, [("10.213.20.3", 22), ("10.213.21.3", 22)], ["10.213.20.3"])
    response = post_json(client, chain["a"], RESULTS, outside)
    assert response.status_code == 400
    assert response.json()["message"] == (
        "open_ports[1].address: 10.213.21.3 is not one of this scan's targets"
    )
    scan.refresh_from_db()
    assert scan.status == "running" and not Finding.objects.exists()


def test_a_scan_the_sensor_could_not_run_is_marked_failed_with_its_reason(
    client: Client,
    chain: dict[str, Any],
    org_a: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    scan, _ = start(org_a, "10.213.20.0/29", django_capture_on_commit_callbacks)
    claim(client, chain["a"])
    failed = {"scan": scan.pk, "error": "OSError: Network is unreachable"}
    assert post_json(client, chain["a"], RESULTS, failed).json()["scan_status"] == "failed"
    scan.refresh_from_db()
    assert (scan.status, scan.error) == ("failed", "OSError: Network is unreachable")


def test_a_scan_not_handed_out_yet_cannot_get_results(
    client: Client,
    chain: dict[str, Any],
    org_a: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    scan, _ = start(org_a, "10.213.20.0/29", django_capture_on_commit_callbacks)
    response = post_json(client, chain["a"], RESULTS, report(scan.pk, []))
    assert response.status_code == 409 and response.json()["code"] == "not_taken"


def test_a_taken_scan_never_reported_is_handed_out_again_after_its_lease(
    chain: dict[str, Any], org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    scan, _ = start(org_a, "10.213.20.0/29", django_capture_on_commit_callbacks)
    madrid = chain["madrid"]
    assert [o.scan for o in do_claim_site_scans(madrid, "pc1", NOON)] == [scan.pk]
    assert do_claim_site_scans(madrid, "pc2", NOON + timedelta(hours=5)) == []
    again = do_claim_site_scans(madrid, "pc2", NOON + timedelta(hours=7))
    assert [o.scan for o in again] == [scan.pk]
    scan.refresh_from_db()
    assert scan.sensor == "pc2"


def test_a_scan_whose_targets_left_the_registered_networks_fails_before_any_packet(
    chain: dict[str, Any], org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    scan, _ = start(org_a, "10.213.20.0/29", django_capture_on_commit_callbacks)
    Network.objects.filter(pk=scan.network_id).update(cidr="10.213.30.0/29")  # re-registered
    assert do_claim_site_scans(chain["madrid"], "pc1", NOON) == []
    scan.refresh_from_db()
    assert (
        scan.status == "failed" and "10.213.20.1 is not inside any network registered" in scan.error
    )


def test_the_scheduler_leaves_a_sensor_sites_networks_to_the_sensor(
    chain: dict[str, Any], org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    from clinicshield.exposure.due import queue_scheduled_scans

    with django_capture_on_commit_callbacks() as queued:
        queue_scheduled_scans(NOON)
    runners = {s.network.site.name: s.runner for s in Scan.objects.filter(organisation=org_a)}
    assert runners == {"Madrid": "sensor", "Norte": "sensor", "Sur": "worker"}
    assert len(queued) == 1  # a job for Sur only; org B's Madrid waits for its own sensor
    assert Scan.objects.get(organisation=org_a, network__site__name="Madrid").created_at == NOON


def test_the_scan_page_says_the_sites_sensor_runs_it(
    client: Client,
    client_alice: Client,
    chain: dict[str, Any],
    org_a: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    scan, _ = start(org_a, "10.213.20.0/29", django_capture_on_commit_callbacks)
    page = f"/o/{org_a.slug}/exposure/scans/{scan.pk}/"
    assert "waiting for the site's sensor" in client_alice.get(page).content.decode()
    claim(client, chain["a"])
    assert "run by the site's sensor pc1" in client_alice.get(page).content.decode()
