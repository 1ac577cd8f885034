"""do_start_scan owns its whole write: it queues its own scans, and a worker runs them.

Huey runs the queued job inline here (HUEY.immediate, as the readiness and simulations
tests do), against a real listener on a loopback address: nothing leaves the machine.
"""

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from huey.contrib.djhuey import HUEY

from clinicshield.accounts.models import Organisation
from clinicshield.exposure.actions import do_add_network, do_start_scan
from clinicshield.exposure.models import Scan
from clinicshield.lib.errors import UserError

ADDRESS = "127.77.4.10"  # the whole of 127.0.0.0/8 is this machine's loopback


@pytest.fixture
def huey_inline() -> Iterator[None]:
    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous


@pytest.fixture
def listening_port() -> Iterator[int]:
    """A port open on ADDRESS (the kernel completes the handshake; nobody answers)."""
    with socket.create_server((ADDRESS, 0)) as server:
        yield server.getsockname()[1]


@pytest.fixture
def loopback_network(org_a: Organisation) -> Organisation:
    do_add_network(org_a, "Madrid", "servers", "127.77.4.0/24", "test")
    return org_a


def test_the_action_alone_queues_its_scan_and_the_worker_runs_it(
    loopback_network: Organisation,
    listening_port: int,
    huey_inline: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    org = loopback_network
    with django_capture_on_commit_callbacks(execute=True) as queued:
        [scan] = do_start_scan(org, [ADDRESS], str(listening_port), "test")
        # Nothing runs before the scan is committed: a worker must be able to read it.
        assert Scan.objects.get(pk=scan.pk).status == "queued"
    assert len(queued) == 1
    scan.refresh_from_db()
    assert (scan.status, scan.progress, scan.hosts_up) == ("done", 100, [ADDRESS])
    assert [(f.address, f.port) for f in scan.findings.all()] == [(ADDRESS, listening_port)]


def test_a_scan_run_in_the_foreground_is_not_queued_too(
    loopback_network: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    # The CLI runs its scans itself; a worker running them as well would scan twice.
    with django_capture_on_commit_callbacks(execute=True) as queued:
        [scan] = do_start_scan(loopback_network, [ADDRESS], "22", "cli", in_background=False)
    assert queued == []
    scan.refresh_from_db()
    assert scan.status == "queued"


def test_a_refused_target_queues_nothing(
    loopback_network: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(UserError) as refused,
    ):
        do_start_scan(loopback_network, ["127.78.0.1"], "22", "test")
    assert (refused.value.code, queued) == ("out_of_scope", [])
    assert not Scan.objects.filter(organisation=loopback_network).exists()
