"""`clinicshield probe` as a site sensor talking to a live server (loopback only)."""

import io
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from clinicshield.accounts.actions import do_create_api_token
from clinicshield.accounts.models import Organisation
from clinicshield.exposure.actions import do_add_network, do_save_policy
from clinicshield.exposure.models import ProbeRun

pytestmark = pytest.mark.django_db(transaction=True)

POLICY = """zones:
  here: [127.0.0.0/24]
  vault: [127.77.5.10/32]
  archive: [127.77.5.20/32]
controls:
  here: ["127.77.5.10:{open}"]
targets:
  vault: [127.77.5.10]
  archive: [127.77.5.20]
rules:
  - {{from: here, to: vault, action: block, ports: [{open}]}}
  - {{from: here, to: archive, action: block, ports: [{open}]}}
"""


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP port open on 127.77.5.10 only (127.77.5.20 has nothing on it)."""
    with socket.socket() as server:
        server.bind(("127.77.5.10", 0))
        server.listen(16)
        yield int(server.getsockname()[1])


def sensor(live_server: Any, token: str, *extra: str) -> tuple[list[dict[str, Any]], Any]:
    out = io.StringIO()
    error = None
    try:
        call_command(
            "probe",
            "--zone",
            "here",
            "--server",
            live_server.url,
            "--token",
            token,
            "--format",
            "json",
            "--timeout",
            "0.5",
            *extra,
            stdout=out,
        )
    except CommandError as raised:
        error = raised
    return [json.loads(line) for line in out.getvalue().splitlines()], error


def test_a_sensor_fetches_the_plan_probes_and_reports(
    live_server: Any, org_a: Organisation, listener: int
) -> None:
    do_add_network(org_a, "Madrid", "servers", "127.77.5.0/24", "test")
    do_save_policy(org_a, POLICY.format(open=listener), "test")
    token = do_create_api_token(org_a, "sensor", "it", "test")
    rows, error = sensor(live_server, token)
    assert error is not None and error.returncode == 1  # a rule is violated
    verdicts = {r["to"]: r for r in rows}
    assert verdicts["vault"]["verdict"] == "violated"
    assert verdicts["vault"]["evidence"] == [f"127.77.5.10:{listener} open"]
    assert verdicts["archive"]["verdict"] == "held"  # refused, and the control was reached
    run = ProbeRun.objects.get(organisation=org_a)
    assert run.controls == [["127.77.5.10", listener, "open"]]


def test_the_server_refuses_a_plan_outside_the_registered_networks(
    live_server: Any, org_a: Organisation, listener: int
) -> None:
    do_add_network(org_a, "Madrid", "servers", "127.77.6.0/24", "test")  # not .5
    do_save_policy(org_a, POLICY.format(open=listener), "test")
    token = do_create_api_token(org_a, "sensor", "it", "test")
    rows, error = sensor(live_server, token)
    assert rows == [] and error is not None and error.returncode == 2
    assert "127.77.5.10" in str(error) and "not in a registered network" in str(error)
    assert not ProbeRun.objects.exists()


def test_a_viewer_token_cannot_probe_and_http_needs_loopback(
    live_server: Any, org_a: Organisation
) -> None:
    token = do_create_api_token(org_a, "viewer", "viewer", "test")
    _rows, error = sensor(live_server, token)
    assert error is not None and error.returncode == 2 and "HTTP 403" in str(error)
    with pytest.raises(CommandError, match="use https") as refused:
        call_command(
            "probe",
            "--zone",
            "here",
            "--server",
            "http://sensor.example",
            "--token",
            token,
            stdout=io.StringIO(),
        )
    assert refused.value.returncode == 2
