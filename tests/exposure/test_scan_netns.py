"""The scan and probe verbs against hosts in network namespaces, through the database."""

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from clinicshield.accounts.models import Organisation
from clinicshield.exposure.models import Change, Finding, Scan
from tests.exposure.conftest import lab_tag
from tests.exposure.exposure_netlab import Lab, inside
from tests.system import need_root_netns

pytestmark = [pytest.mark.netns, pytest.mark.django_db]
CLI = Path(sys.executable).with_name("clinicshield")


@pytest.fixture(scope="module")
def clinic_lab() -> Iterator[Lab]:
    """.10 a reception PC with SMB; .11 a PACS with an open DICOM SCP; .12 an empty host."""
    need_root_netns()
    lab = Lab(lab_tag("cli"), subnet="10.213.8")
    try:
        lab.open()
        pc, pacs, empty = lab.add_host(10), lab.add_host(11), lab.add_host(12)
        lab.wait_for_links()
        pc.serve([{"kind": "smb", "port": 445}, {"kind": "plain", "port": 135}])
        pacs.serve(
            [{"kind": "dicom", "port": 11112}, {"kind": "http", "port": 8042, "server": "Orthanc"}]
        )
        empty.count_packets()
        yield lab
    finally:
        lab.close()


def scan_json(
    lab: Lab, org: Organisation, *targets: str, ports: str = "top100,11112,8042"
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    out = io.StringIO()
    with inside(lab.switch):
        call_command(
            "scan",
            *targets,
            "--org",
            org.slug,
            "--ports",
            ports,
            "--format",
            "json",
            "--timeout",
            "0.5",
            stdout=out,
        )
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    return lines[:-1], lines[-1]["summary"]


def register(org: Organisation, zone: str = "clinical", cidr: str = "10.213.8.0/24") -> None:
    call_command(
        "networks",
        "add",
        "--org",
        org.slug,
        "--site",
        "Madrid",
        "--zone",
        zone,
        "--cidr",
        cidr,
        stdout=io.StringIO(),
    )


def test_it_reports_each_open_port_with_risk_and_advice(
    clinic_lab: Lab, org_a: Organisation
) -> None:
    register(org_a)
    rows, summary = scan_json(clinic_lab, org_a, "10.213.8.0/28")
    found = {(r["host"], r["port"]): r for r in rows}
    assert set(found) == {
        ("10.213.8.10", 445),
        ("10.213.8.10", 135),
        ("10.213.8.11", 11112),
        ("10.213.8.11", 8042),
    }
    smb = found[("10.213.8.10", 445)]
    assert (smb["service"], smb["risk"], smb["change"], smb["proto"]) == (
        "smb",
        "high",
        "new",
        "tcp",
    )
    assert "ransomware" in smb["advice"] or "445" in smb["advice"]
    dicom = found[("10.213.8.11", 11112)]
    assert dicom["service"] == "dicom" and dicom["risk"] == "high"
    assert dicom["why"] == "the DICOM service accepts any caller"
    assert summary["hosts_up"] == 4  # three hosts and the switch itself (.1)
    assert summary["open_ports"] == 4


def test_a_second_scan_shows_drift(clinic_lab: Lab, org_a: Organisation) -> None:
    register(org_a)
    scan_json(clinic_lab, org_a, "10.213.8.10-12")
    clinic_lab.hosts[0].serve([{"kind": "plain", "port": 3389}])  # someone enabled RDP
    rows, summary = scan_json(clinic_lab, org_a, "10.213.8.10-12")
    changes = {(r["host"], r["port"]): r["change"] for r in rows}
    assert changes[("10.213.8.10", 3389)] == "new"
    assert changes[("10.213.8.10", 445)] == "unchanged"
    latest = Scan.objects.filter(organisation=org_a).order_by("-id").first()
    assert latest is not None
    assert [(c.kind, c.address, c.port) for c in latest.changes.all()] == [
        ("new_port", "10.213.8.10", 3389)
    ]
    assert summary["changes"] == 1


def test_it_refuses_unregistered_targets_before_sending_a_packet(
    clinic_lab: Lab, tmp_path: Path
) -> None:
    """Through the real `clinicshield` command, with its own data directory."""
    env = {"CLINICSHIELD_DATA_DIR": str(tmp_path), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    prefix = clinic_lab.exec_prefix()

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*prefix, str(CLI), *args], env=env, capture_output=True, text=True, timeout=120
        )

    assert cli("createorg", "--name", "C", "--slug", "c").returncode == 0
    assert (
        cli(
            "networks",
            "add",
            "--org",
            "c",
            "--site",
            "M",
            "--zone",
            "lab",
            "--cidr",
            "10.213.8.8/30",
        ).returncode
        == 0
    )  # .12 is outside this block
    before = clinic_lab.hosts[2].packets_seen()
    refused = cli("scan", "10.213.8.12", "--org", "c", "--ports", "22")
    assert refused.returncode == 2
    assert "10.213.8.12 is not inside any network registered" in refused.stderr
    assert clinic_lab.hosts[2].packets_seen() == before  # not one packet reached it
    allowed = cli("scan", "10.213.8.10", "--org", "c", "--ports", "445", "--format", "json")
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout.splitlines()[0])["port"] == 445


def test_import_of_nmap_xml_records_a_scan(org_a: Organisation, tmp_path: Path) -> None:
    register(org_a, zone="servers")
    xml = tmp_path / "scan.xml"
    xml.write_text(
        '<?xml version="1.0"?><nmaprun args="nmap -oX scan.xml 10.213.8.0/24">'
        '<host><status state="up"/><address addr="10.213.8.5" addrtype="ipv4"/><ports>'
        '<port protocol="tcp" portid="3389"><state state="open"/>'
        '<service name="ms-wbt-server"/></port></ports></host>'
        '<host><status state="up"/><address addr="172.16.0.9" addrtype="ipv4"/></host>'
        "</nmaprun>"
    )
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "scan",
        "--import",
        str(xml),
        "--org",
        org_a.slug,
        "--format",
        "json",
        stdout=out,
        stderr=err,
    )
    first = json.loads(out.getvalue().splitlines()[0])
    assert (first["host"], first["port"], first["risk"]) == ("10.213.8.5", 3389, "low")
    assert "172.16.0.9" in err.getvalue()  # outside every registered network: ignored, said
    assert Scan.objects.get(organisation=org_a).source == "nmap-xml"
    bad = tmp_path / "bad.xml"
    bad.write_text("<nmaprun><host>")
    with pytest.raises(CommandError, match="bad.xml: line 1") as refused:
        call_command("scan", "--import", str(bad), "--org", org_a.slug, stdout=io.StringIO())
    assert refused.value.returncode == 2


POLICY = """zones:
  here: [10.213.8.0/30]
  desks: [10.213.8.10/32]
  pacs: [10.213.8.11/32]
  spare: [10.213.8.12/32]
controls:
  here: ["10.213.8.10:445"]
rules:
  - {from: here, to: pacs, action: block, ports: any}
  - {from: here, to: spare, action: block, ports: any}
  - {from: here, to: desks, action: allow, ports: [445]}
"""


def test_probe_reports_held_and_violated_rules(
    clinic_lab: Lab, org_a: Organisation, tmp_path: Path
) -> None:
    register(org_a)
    scan_json(clinic_lab, org_a, "10.213.8.10-12")  # the probe tests hosts scans have seen
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    call_command(
        "networks", "policy", "--org", org_a.slug, "--set", str(policy), stdout=io.StringIO()
    )
    out = io.StringIO()
    with inside(clinic_lab.switch), pytest.raises(CommandError) as violated:
        call_command(
            "probe",
            "--org",
            org_a.slug,
            "--zone",
            "here",
            "--format",
            "json",
            "--timeout",
            "0.5",
            stdout=out,
        )
    assert violated.value.returncode == 1
    verdicts = {row["to"]: row for row in map(json.loads, out.getvalue().splitlines())}
    assert verdicts["pacs"]["verdict"] == "violated"
    assert "10.213.8.11:11112 open" in verdicts["pacs"]["evidence"]
    assert verdicts["desks"]["verdict"] == "held"
    assert verdicts["spare"]["verdict"] == "held"  # .12 listens on nothing the probe tries


def test_findings_are_kept_per_organisation(
    clinic_lab: Lab, org_a: Organisation, org_b: Organisation
) -> None:
    register(org_a)
    register(org_b)
    scan_json(clinic_lab, org_a, "10.213.8.10")
    assert Finding.objects.filter(organisation=org_a).exists()
    assert not Finding.objects.filter(organisation=org_b).exists()
    assert not Change.objects.exists()
