"""The current picture of exposure: for each address and port, the newest finished scan that
looked at it decides whether it is open. A scan of part of a network (one host, a smaller
port set) leaves the rest as the earlier scans saw it.

Scans are recorded through ``do_record_observation``, as a worker or a sensor records them
(real database, no network: the addresses are only data). Times are set by the tests.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clinicshield.accounts.models import Organisation
from clinicshield.exposure.actions import do_add_network
from clinicshield.exposure.actions.scans import do_record_observation
from clinicshield.exposure.core.observations import Observation, OpenPort
from clinicshield.exposure.models import Change, Finding, Network, Scan
from clinicshield.exposure.posture import exposure_posture
from clinicshield.exposure.queries import current_picture, known_hosts
from clinicshield.monitoring.models import Alert

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CIDR = "10.213.5.0/29"
ONE, TWO = "10.213.5.1", "10.213.5.2"
RDP, SMB = OpenPort(ONE, 3389, service="rdp"), OpenPort(TWO, 445, service="smb")


@pytest.fixture
def network(org_a: Organisation) -> Network:
    return do_add_network(org_a, "Madrid", "clinical", CIDR, "test")


def record(
    network: Network, targets: str, ports: str, hosts_up: list[str], open_ports: list[OpenPort]
) -> Scan:
    """A finished scan of `targets` on `ports`, recorded a day after the previous one."""
    done = Scan.objects.filter(network=network).count()
    scan = Scan.objects.create(
        organisation=network.organisation,
        network=network,
        targets=targets,
        ports=ports,
        status="running",
    )
    scan = do_record_observation(scan, Observation("scanner", hosts_up, open_ports))
    when = NOW - timedelta(days=30) + timedelta(days=done)
    Scan.objects.filter(pk=scan.pk).update(created_at=when, finished_at=when)
    return scan


def open_keys(org: Organisation) -> set[tuple[str, int]]:
    return {(f.address, f.port) for f in current_picture(org).findings}


def overview(client: Client, org: Organisation) -> str:
    return client.get(f"/o/{org.slug}/exposure/").content.decode()


def risky(org: Organisation) -> set[tuple[str, int]]:
    ports = exposure_posture(org, NOW)["org"]["risky_ports"]
    return {(p["address"], p["port"]) for p in ports}


def test_a_scan_of_one_host_leaves_the_other_hosts_ports_in_the_picture(
    client_alice: Client, org_a: Organisation, network: Network
) -> None:
    record(network, CIDR, "clinic", [ONE, TWO], [RDP, SMB])
    record(network, ONE, "clinic", [ONE], [RDP])
    assert open_keys(org_a) == {(ONE, 3389), (TWO, 445)}
    page = overview(client_alice, org_a)
    assert f"/exposure/hosts/{TWO}/" in page and "445/tcp" in page
    assert known_hosts(org_a) == {ONE: [3389], TWO: [445]}
    assert risky(org_a) == {(ONE, 3389), (TWO, 445)}
    # The next whole scan finds the second host down: nothing of it is shown open any more.
    record(network, CIDR, "clinic", [ONE], [RDP])
    assert open_keys(org_a) == {(ONE, 3389)}
    page = overview(client_alice, org_a)
    assert f"/exposure/hosts/{TWO}/" not in page and "445/tcp" not in page
    assert known_hosts(org_a) == {ONE: [3389]}
    assert risky(org_a) == {(ONE, 3389)}


def test_the_dashboard_counts_the_ports_a_narrower_scan_did_not_look_at(
    client_alice: Client, org_a: Organisation, network: Network
) -> None:
    record(network, CIDR, "clinic", [ONE, TWO], [RDP, SMB])
    record(network, ONE, "22", [ONE], [])
    page = client_alice.get(f"/o/{org_a.slug}/dashboard/").content.decode()
    # The count does not depend on the date the page measures at (the real clock).
    assert "2 high-risk open ports (0 critical)" in " ".join(page.split())


def test_a_narrower_scan_decides_only_the_ports_it_asked(
    client_alice: Client, org_a: Organisation, network: Network
) -> None:
    smb_one = OpenPort(ONE, 445, service="smb")
    record(network, CIDR, "clinic", [ONE, TWO], [RDP, smb_one])
    record(network, ONE, "445", [ONE], [smb_one])
    assert open_keys(org_a) == {(ONE, 3389), (ONE, 445)}
    host = client_alice.get(f"/o/{org_a.slug}/exposure/hosts/{ONE}/").content.decode()
    assert "3389/tcp" in host and "445/tcp" in host
    record(network, ONE, "3389", [ONE], [])  # RDP closed; SMB not asked
    assert open_keys(org_a) == {(ONE, 445)}
    record(network, CIDR, "clinic", [ONE, TWO], [])
    assert open_keys(org_a) == set()
    host = client_alice.get(f"/o/{org_a.slug}/exposure/hosts/{ONE}/").content.decode()
    open_now, _, history = host.partition("<h2>History</h2>")
    assert "3389/tcp" not in open_now and "445/tcp" not in open_now
    # Each closing is in the history, by the scan that asked that port.
    assert "port 3389/tcp is no longer open" in history
    assert "port 445/tcp is no longer open" in history


def test_a_host_the_newest_scan_of_it_saw_down_shows_nothing_open(
    org_a: Organisation, network: Network
) -> None:
    record(network, CIDR, "clinic", [ONE, TWO], [RDP, SMB])
    record(network, TWO, "22", [], [])  # down: 445 was not asked, but nothing is open
    assert open_keys(org_a) == {(ONE, 3389)}
    assert known_hosts(org_a) == {ONE: [3389]}


def test_ports_a_one_host_scan_did_not_look_at_are_not_new_in_the_next_whole_scan(
    org_a: Organisation, network: Network, django_capture_on_commit_callbacks: Any
) -> None:
    record(network, CIDR, "clinic", [ONE, TWO], [RDP, SMB])
    record(network, ONE, "clinic", [ONE], [RDP])
    with django_capture_on_commit_callbacks(execute=True):
        whole = record(network, CIDR, "clinic", [ONE, TWO], [RDP, SMB])
    assert {(f.address, f.change) for f in whole.findings.all()} == {
        (ONE, "unchanged"),
        (TWO, "unchanged"),
    }
    assert not Alert.objects.exists()


def test_a_port_outside_the_earlier_port_set_is_not_said_to_have_appeared(
    org_a: Organisation, network: Network, django_capture_on_commit_callbacks: Any
) -> None:
    record(network, CIDR, "22,445", [ONE, TWO], [SMB])
    with django_capture_on_commit_callbacks(execute=True):
        wider = record(network, CIDR, "clinic", [ONE, TWO], [RDP, SMB])
    # Nobody asked 3389 before: it is seen for the first time, not newly opened.
    assert not Alert.objects.exists()
    assert not Change.objects.filter(scan=wider).exists()
    assert Finding.objects.get(scan=wider, port=445).change == "unchanged"
    # A port an earlier scan asked and found closed did appear: alert and drift say so.
    vnc = OpenPort(TWO, 5900, service="vnc")
    with django_capture_on_commit_callbacks(execute=True):
        later = record(network, CIDR, "clinic", [ONE, TWO], [RDP, SMB, vnc])
    assert Finding.objects.get(scan=later, port=5900).change == "new"
    assert [(c.kind, c.port) for c in Change.objects.filter(scan=later)] == [("new_port", 5900)]
    assert Alert.objects.get().key == f"{TWO}:5900/tcp"


def test_drift_after_a_one_host_scan_compares_with_the_picture_not_that_scan(
    org_a: Organisation, network: Network, django_capture_on_commit_callbacks: Any
) -> None:
    """Whole, then one host, then whole again: what changed on the host the middle scan
    skipped is in the timeline, as the alert says (the middle scan never looked at it)."""
    record(network, CIDR, "clinic", [ONE, TWO], [RDP, SMB])
    record(network, ONE, "clinic", [ONE], [RDP])
    vnc = OpenPort(TWO, 5900, service="vnc")
    with django_capture_on_commit_callbacks(execute=True):
        whole = record(network, CIDR, "clinic", [ONE, TWO], [RDP, vnc])
    assert Alert.objects.get().key == f"{TWO}:5900/tcp"
    drift = {(c.kind, c.address, c.port) for c in Change.objects.filter(scan=whole)}
    assert drift == {("new_port", TWO, 5900), ("closed_port", TWO, 445)}
    # And a host the middle scan skipped, found down by the last one, is gone.
    last = record(network, CIDR, "clinic", [ONE], [RDP])
    assert {(c.kind, c.address) for c in Change.objects.filter(scan=last)} == {("gone_host", TWO)}


def test_a_long_history_is_not_read_once_the_newest_scans_decide_everything(
    org_a: Organisation, network: Network
) -> None:
    record(network, CIDR, "clinic", [ONE, TWO], [RDP, SMB])
    with CaptureQueriesContext(connection) as short:
        current_picture(org_a)
    old = NOW - timedelta(days=400)
    Scan.objects.bulk_create(
        Scan(
            organisation=org_a,
            network=network,
            targets=CIDR,
            ports="clinic",
            status="done",
            hosts_up=[ONE],
            finished_at=old,
        )
        for _ in range(300)
    )
    record(network, CIDR, "clinic", [ONE, TWO], [RDP, SMB])
    with CaptureQueriesContext(connection) as long:
        picture = current_picture(org_a)
    assert {(f.address, f.port) for f in picture.findings} == {(ONE, 3389), (TWO, 445)}
    assert len(long) == len(short)
    assert all("LIMIT" in q["sql"] for q in long if 'FROM "exposure_scan"' in q["sql"])
