"""Audit of exposure control's reassuring verdicts ("segmentation holds", "port closed",
"host gone"): what could not be checked must never read as checked.

Probe reports are posted through the action a sensor's report reaches (real database, no
network); scans are recorded through ``do_record_observation`` as a worker or a sensor
records them. Times are set by the tests.
"""

from datetime import UTC, datetime, timedelta

import pytest

from clinicshield.accounts.models import Organisation
from clinicshield.exposure.actions import do_add_network, do_save_policy
from clinicshield.exposure.actions.policy import do_record_reported_probe
from clinicshield.exposure.actions.scans import do_record_observation
from clinicshield.exposure.core.observations import Observation, OpenPort
from clinicshield.exposure.core.segmentation import matrix
from clinicshield.exposure.models import Change, ProbeRun, Scan
from clinicshield.exposure.queries import latest_verdicts, policy_of

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

POLICY = """zones:
  here: [127.77.6.0/24]
  vault: [127.77.5.0/24]
  other: [127.77.7.0/24]
controls:
  here: ["127.77.6.1:53"]
targets:
  vault: [127.77.5.10]
  other: [127.77.7.10]
rules:
  - {from: here, to: vault, action: block, ports: [4242, 445]}
"""
CONTROL = ("127.77.6.1", 53, "open")


@pytest.fixture
def org(org_a: Organisation) -> Organisation:
    for cidr in ("127.77.5.0/24", "127.77.6.0/24", "127.77.7.0/24"):
        do_add_network(org_a, "Madrid", "servers", cidr, "test")
    do_save_policy(org_a, POLICY, "test")
    return org_a


def verdict_of(run: ProbeRun) -> tuple[str, str]:
    return run.verdicts[0]["verdict"], run.verdicts[0]["reason"]


# --- segmentation --------------------------------------------------------------------------


def test_an_endpoint_the_probe_never_reported_is_not_taken_for_blocked(org: Organisation) -> None:
    # A sensor whose prober died half-way reports the control and one of two ports.
    half = do_record_reported_probe(org, "here", [CONTROL, ("127.77.5.10", 4242, "filtered")])
    assert verdict_of(half) == ("inconclusive", "not_checked")
    assert half.verdicts[0]["evidence"] == [["127.77.5.10", 445, "not_checked"]]
    only_control = do_record_reported_probe(org, "here", [CONTROL])
    assert verdict_of(only_control) == ("inconclusive", "not_checked")
    whole = do_record_reported_probe(
        org, "here", [CONTROL, ("127.77.5.10", 4242, "filtered"), ("127.77.5.10", 445, "refused")]
    )
    assert verdict_of(whole) == ("held", "nothing_answered")


def test_a_target_the_probe_could_not_reach_is_not_taken_for_blocked(org: Organisation) -> None:
    # No route to the zone, or the target host is down: the rule was not tested.
    states = [CONTROL, ("127.77.5.10", 4242, "unreachable"), ("127.77.5.10", 445, "unreachable")]
    run = do_record_reported_probe(org, "here", states)
    assert verdict_of(run) == ("inconclusive", "not_checked")


def test_a_verdict_of_an_earlier_rule_does_not_colour_the_rule_now_in_its_place(
    org: Organisation,
) -> None:
    run = do_record_reported_probe(
        org, "here", [CONTROL, ("127.77.5.10", 4242, "filtered"), ("127.77.5.10", 445, "filtered")]
    )
    ProbeRun.objects.filter(pk=run.pk).update(ran_at=NOW)
    policy = policy_of(org)
    assert policy is not None
    assert matrix(policy, latest_verdicts(org, NOW))[("here", "vault")] == "blocked"
    # Rule 0 now guards another zone, and was never probed.
    do_save_policy(org, POLICY.replace("to: vault", "to: other"), "test")
    policy = policy_of(org)
    assert policy is not None
    cells = matrix(policy, latest_verdicts(org, NOW))
    assert cells[("here", "other")] == "untested"
    assert cells[("here", "vault")] == "none"


def test_a_verdict_from_weeks_ago_is_shown_as_not_tested(org: Organisation) -> None:
    run = do_record_reported_probe(
        org, "here", [CONTROL, ("127.77.5.10", 4242, "filtered"), ("127.77.5.10", 445, "filtered")]
    )
    ProbeRun.objects.filter(pk=run.pk).update(ran_at=NOW - timedelta(days=21))
    policy = policy_of(org)
    assert policy is not None
    assert matrix(policy, latest_verdicts(org, NOW))[("here", "vault")] == "untested"
    ProbeRun.objects.filter(pk=run.pk).update(ran_at=NOW - timedelta(days=1))
    assert matrix(policy, latest_verdicts(org, NOW))[("here", "vault")] == "blocked"


# --- drift ---------------------------------------------------------------------------------


def record(
    org: Organisation, targets: str, ports: str, hosts: list[str], open_ports: list[OpenPort]
) -> Scan:
    network = org.networks.get(cidr="127.77.5.0/24")
    scan = Scan.objects.create(
        organisation=org, network=network, targets=targets, ports=ports, status="running"
    )
    return do_record_observation(scan, Observation("scanner", hosts, open_ports))


def kinds(scan: Scan) -> set[tuple[str, str, int | None]]:
    return {(c.kind, c.address, c.port) for c in Change.objects.filter(scan=scan)}


def test_a_host_down_during_a_scan_is_gone_but_its_ports_are_not_closed(org: Organisation) -> None:
    both = "127.77.5.10 127.77.5.11"
    record(org, both, "22,445", ["127.77.5.10", "127.77.5.11"], [OpenPort("127.77.5.11", 445)])
    later = record(org, both, "22,445", ["127.77.5.10"], [])
    assert kinds(later) == {("gone_host", "127.77.5.11", None)}


def test_a_scan_of_fewer_hosts_or_ports_closes_nothing_it_did_not_look_at(
    org: Organisation,
) -> None:
    both = "127.77.5.10 127.77.5.11"
    record(
        org,
        both,
        "22,445,8080",
        ["127.77.5.10", "127.77.5.11"],
        [OpenPort("127.77.5.10", 8080), OpenPort("127.77.5.11", 445)],
    )
    fewer_ports = record(org, both, "22,445", ["127.77.5.10", "127.77.5.11"], [])
    assert kinds(fewer_ports) == {("closed_port", "127.77.5.11", 445)}
    record(org, both, "22,445,8080", ["127.77.5.10", "127.77.5.11"], [OpenPort("127.77.5.11", 445)])
    one_host = record(org, "127.77.5.10", "22,445,8080", ["127.77.5.10"], [])
    assert kinds(one_host) == set()
