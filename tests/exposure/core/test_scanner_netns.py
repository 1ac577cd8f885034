"""The scanner, identification and probes against real hosts in network namespaces."""

import asyncio
import re
import subprocess
from pathlib import Path

import pytest

from clinicshield.exposure.core.identify import identify_all, identify_port
from clinicshield.exposure.core.nmap_xml import run_nmap
from clinicshield.exposure.core.portsets import resolve_ports
from clinicshield.exposure.core.probe import probe
from clinicshield.exposure.core.scanner import ScanOptions, scan
from clinicshield.exposure.core.segmentation import evaluate, parse_policy, plan_probe
from clinicshield.exposure.core.snmp import check_snmp
from tests.exposure.exposure_netlab import Lab, inside
from tests.system import need_program

pytestmark = pytest.mark.netns

PORTS = [21, 22, 25, 80, 104, 443, 445, 3389, 8080, 9100, 11112, 23, 5900]
TARGETS = [f"10.213.7.{n}" for n in range(10, 21)]


@pytest.fixture(scope="module")
def scanned(service_lab: Lab):  # type: ignore[no-untyped-def]
    with inside(service_lab.switch):
        return scan(TARGETS, ScanOptions(ports=PORTS, timeout=0.5))


def test_it_finds_open_ports_and_nothing_else(scanned) -> None:  # type: ignore[no-untyped-def]
    rich = scanned.hosts["10.213.7.10"]
    assert sorted(rich.open_ports) == [21, 22, 25, 80, 104, 443, 445, 3389]
    assert sorted(scanned.hosts["10.213.7.11"].open_ports) == [11112]


def test_it_tells_dropped_ports_from_closed_ones(scanned) -> None:  # type: ignore[no-untyped-def]
    assert sorted(scanned.hosts["10.213.7.10"].filtered_ports) == [8080, 9100]
    assert scanned.hosts["10.213.7.11"].filtered_ports == set()


def test_it_skips_absent_hosts_and_finds_silent_ones_by_link_layer(scanned) -> None:  # type: ignore[no-untyped-def]
    assert set(scanned.hosts) == {"10.213.7.10", "10.213.7.11", "10.213.7.12"}
    assert scanned.hosts["10.213.7.10"].up_reason == "tcp"
    assert scanned.hosts["10.213.7.12"].up_reason == "arp"


def test_it_identifies_services_and_dicom_callers(service_lab: Lab, scanned) -> None:  # type: ignore[no-untyped-def]
    open_ports = {a: sorted(h.open_ports) for a, h in scanned.hosts.items()}
    with inside(service_lab.switch):
        found = asyncio.run(identify_all(open_ports, timeout=2.0))
    service = {key[1]: info for key, info in found.items() if key[0] == "10.213.7.10"}
    assert {port: info.service for port, info in service.items()} == {
        21: "ftp",
        22: "ssh",
        25: "smtp",
        80: "http",
        104: "dicom",
        443: "https",
        445: "smb",
        3389: "rdp",
    }
    assert service[22].product == "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3"
    assert service[80].product == "nginx/1.18.0"
    assert service[443].details["tls_names"] == ["pacs.clinic.example", "pacs"]
    assert service[104].details["dicom_accepts_any_calling_ae"] is True
    strict = found[("10.213.7.11", 11112)]
    assert strict.service == "dicom"
    assert strict.details["dicom_accepts_any_calling_ae"] is False


def test_a_port_numbered_like_dicom_that_does_not_speak_it_is_not_called_dicom(
    service_lab: Lab,
) -> None:
    with inside(service_lab.switch):
        info = asyncio.run(identify_port("10.213.7.10", 4242, timeout=1.0))
    assert info.service == "unknown"
    assert info.details == {}


def test_it_finds_snmp_agents_answering_a_default_community(service_lab: Lab) -> None:
    with inside(service_lab.switch):
        findings = asyncio.run(check_snmp(["10.213.7.10", "10.213.7.11"], timeout=0.5))
    assert [(f.address, f.community) for f in findings] == [("10.213.7.10", "public")]


POLICY = """
zones:
  guest: [10.213.7.0/29]
  lab: [10.213.7.8/30]
  vault: [10.213.7.12/30]
controls:
  guest: ["{control}"]
targets:
  lab: [10.213.7.10]
  vault: [10.213.7.12]
rules:
  - {{from: guest, to: lab, action: block, ports: any}}
  - {{from: guest, to: vault, action: block, ports: any}}
"""


def run_probe(lab: Lab, control: str) -> dict[str, tuple[str, str]]:
    policy = parse_policy(POLICY.format(control=control))
    plan = plan_probe(policy, "guest")
    with inside(lab.switch):
        states = probe(plan.endpoints(), timeout=0.5)
    return {v.rule.destination: (v.verdict, v.reason) for v in evaluate(policy, plan, states)}


def test_segmentation_held_and_violated(service_lab: Lab) -> None:
    verdicts = run_probe(service_lab, control="10.213.7.11:11112")
    assert verdicts["lab"] == ("violated", "answered")  # .10 answers on many ports
    assert verdicts["vault"] == ("held", "nothing_answered")  # .12 drops everything


def test_a_probe_whose_control_fails_never_reports_held(service_lab: Lab) -> None:
    verdicts = run_probe(service_lab, control="10.213.7.12:22")  # a control that cannot answer
    assert verdicts["vault"] == ("inconclusive", "control_failed")
    assert verdicts["lab"] == ("violated", "answered")  # an open port is evidence regardless


def expand_nmap_services(text: str) -> set[int]:
    ports: set[int] = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        ports.update(range(int(low), int(high or low) + 1))
    return ports


def test_top1000_is_the_list_nmap_itself_scans(service_lab: Lab, tmp_path: Path) -> None:
    nmap = need_program("nmap", "nmap")
    output = tmp_path / "nmap.xml"
    subprocess.run(
        [*service_lab.exec_prefix(), nmap, "-sT", "-Pn", "-n", "-oX", str(output), "10.213.7.11"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    services = re.search(r' services="([^"]+)"', output.read_text())
    assert services is not None
    assert expand_nmap_services(services.group(1)) == set(resolve_ports("top1000"))


def test_it_can_drive_nmap_and_read_its_results(service_lab: Lab) -> None:
    need_program("nmap", "nmap")
    with inside(service_lab.switch):
        observation = run_nmap(["10.213.7.10"], [22, 80, 8080, 23])
    assert observation.source == "nmap"
    assert sorted(p.port for p in observation.open_ports) == [22, 80]


def test_it_retries_silent_ports_once_but_not_answered_ones(service_lab: Lab) -> None:
    options = ScanOptions(ports=[22, 8080, 9100], discovery=False, timeout=0.3, retries=1)
    with inside(service_lab.switch):
        result = scan(["10.213.7.10"], options)
        no_retry = scan(
            ["10.213.7.10"], ScanOptions(ports=[22, 8080], discovery=False, timeout=0.3, retries=0)
        )
    assert result.attempts == 3 + 2  # 8080 and 9100 are dropped: each asked twice
    assert sorted(result.hosts["10.213.7.10"].filtered_ports) == [8080, 9100]
    assert no_retry.attempts == 2
    assert result.hosts["10.213.7.10"].up_reason == "assumed"


def test_it_keeps_to_its_concurrency_bound(service_lab: Lab) -> None:
    options = ScanOptions(ports=list(range(1, 400)), discovery=False, concurrency=7)
    with inside(service_lab.switch):
        result = scan(["10.213.7.11"], options)
    assert 2 <= result.peak_in_flight <= 7
    assert result.hosts["10.213.7.11"].open_ports == set()  # 11112 is outside 1-399
    assert result.attempts == 399
