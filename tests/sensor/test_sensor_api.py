"""/api/sensor/: a sensor's health report lands on its site, the answer is its schedule,
and the probes of its zone are judged by the server."""

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from clinicshield.accounts.actions import do_create_site_token
from clinicshield.accounts.models import Organisation
from clinicshield.exposure.actions import do_add_network, do_save_policy
from clinicshield.exposure.core.probe import probe
from clinicshield.exposure.models import ProbeRun
from tests.sensor.signed import get_signed, post_json

POLICY = """zones:
  here: [127.0.0.0/24]
  vault: [127.77.5.10/32]
controls:
  here: ["127.77.5.10:{open}"]
targets:
  vault: [127.77.5.10]
rules:
  - {{from: here, to: vault, action: block, ports: [{open}]}}
"""


@pytest.fixture
def token(org_a: Organisation) -> str:
    return do_create_site_token(org_a.sites.get(), "pc1", "test")


@pytest.fixture
def listener() -> Iterator[int]:
    with socket.socket() as server:
        server.bind(("127.77.5.10", 0))
        server.listen(16)
        yield int(server.getsockname()[1])


def test_a_health_report_is_kept_on_the_site_and_answered_with_the_schedule(
    client: Client, token: str, org_a: Organisation, settings: Any
) -> None:
    settings.SENSOR_PROBE_MINUTES = 30
    report = {"spool_batches": 3, "paused": False, "last_error": "x" * 5000}
    response = post_json(
        client, token, "/api/sensor/health", {"sensor": "pc1", "version": "0.1", "report": report}
    )
    assert response.status_code == 200, response.content
    assert response.json()["probe_every_minutes"] == 30
    assert response.json()["site"] == "Madrid"
    site = org_a.sites.get()
    entry = site.sensor_health["pc1"]
    assert entry["spool_batches"] == 3 and entry["version"] == "0.1"
    assert len(entry["last_error"]) == 500  # a report cannot fill the database
    assert site.sensor_last_seen is not None


def test_the_sensor_probes_its_zone_and_the_server_judges(
    client: Client, token: str, org_a: Organisation, listener: int
) -> None:
    do_add_network(org_a, "Madrid", "servers", "127.77.5.0/24", "test")
    do_save_policy(org_a, POLICY.format(open=listener), "test")
    plan = get_signed(client, token, "/api/sensor/probe-plan?zone=here")
    assert plan.status_code == 200, plan.content
    endpoints = [tuple(e) for e in plan.json()["endpoints"]]
    assert endpoints == [("127.77.5.10", listener)]
    states = probe(endpoints, timeout=0.5)
    payload = {"zone": "here", "states": [[a, p, s] for (a, p), s in states.items()]}
    response = post_json(client, token, "/api/sensor/probe-results", payload)
    assert response.status_code == 201, response.content
    assert response.json()["verdicts"][0]["verdict"] == "violated"
    assert ProbeRun.objects.get(organisation=org_a).zone == "here"


def test_the_signature_covers_the_query_string(client: Client, token: str) -> None:
    from tests.sensor.signed import signed_headers

    headers = signed_headers(token, "GET", "/api/sensor/probe-plan?zone=here", b"")
    response = client.get("/api/sensor/probe-plan?zone=vault", headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"


def test_an_unknown_probe_state_is_refused(client: Client, token: str, org_a: Organisation) -> None:
    payload = {"zone": "here", "states": [["127.77.5.10", 80, "maybe"]]}
    response = post_json(client, token, "/api/sensor/probe-results", payload)
    assert response.status_code == 400 and "maybe" in response.json()["message"]


def test_nonces_are_forgotten_once_their_time_would_be_refused_anyway(
    client: Client, token: str, settings: Any
) -> None:
    from datetime import timedelta

    from clinicshield.accounts.models import SiteTokenNonce
    from clinicshield.sensor.due import forget_old_nonces

    post_json(client, token, "/api/sensor/health", {"sensor": "pc1"})
    assert SiteTokenNonce.objects.count() == 1
    seen = SiteTokenNonce.objects.get().at
    forget_old_nonces(seen + timedelta(seconds=settings.SENSOR_CLOCK_SKEW_SECONDS))
    assert SiteTokenNonce.objects.count() == 1
    assert forget_old_nonces(seen + timedelta(hours=1)) == "1 nonce(s) forgotten"
