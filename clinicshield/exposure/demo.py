"""Demo data: the networks of Clínica Santa Ana, two weeks of scans, a policy and probes.

Addresses come from the documentation ranges' spirit but are private blocks typical of a
clinic; nothing here sends a packet.
"""

from datetime import datetime, timedelta

from clinicshield.accounts.models import Organisation

from .actions import do_add_network, do_record_observation, do_save_policy
from .core.observations import Observation, OpenPort
from .models import Network, ProbeRun, Scan

NETWORKS = [
    ("Madrid", "clinical", "10.20.10.0/24"),
    ("Madrid", "lab", "10.20.20.0/24"),
    ("Madrid", "servers", "10.20.30.0/24"),
    ("Madrid", "devices", "10.20.40.0/24"),
    ("Madrid", "guest", "192.168.77.0/24"),
    ("Toledo", "clinical", "10.30.10.0/24"),
]

PORTS_BEFORE: dict[str, list[OpenPort]] = {
    "10.20.10.0/24": [
        OpenPort("10.20.10.21", 135, service="msrpc"),
        OpenPort("10.20.10.21", 445, service="smb", details={"smb_version": "2+"}),
        OpenPort("10.20.10.34", 5900, service="unknown", product="RFB 003.008"),
        OpenPort("10.20.10.50", 9100, service="jetdirect"),
    ],
    "10.20.20.0/24": [
        OpenPort("10.20.20.15", 2575, service="hl7"),
        OpenPort("10.20.20.15", 22, service="ssh", product="SSH-2.0-OpenSSH_7.4"),
    ],
    "10.20.30.0/24": [
        OpenPort(
            "10.20.30.5",
            443,
            service="https",
            product="Microsoft-IIS/10.0",
            details={"tls_names": ["ehr.santaana.example"]},
        ),
        OpenPort("10.20.30.5", 1433, service="mssql"),
        OpenPort("10.20.30.6", 445, service="smb", details={"smb_version": "2+"}),
        OpenPort("10.20.30.6", 3389, service="rdp"),
        OpenPort("10.20.30.9", 8042, service="http", product="Orthanc"),
        OpenPort(
            "10.20.30.9",
            4242,
            service="dicom",
            details={"dicom_accepts_any_calling_ae": True, "dicom_echo_status": 0},
        ),
    ],
    "10.20.40.0/24": [
        OpenPort(
            "10.20.40.11", 104, service="dicom", details={"dicom_accepts_any_calling_ae": False}
        ),
        OpenPort("10.20.40.11", 23, service="telnet"),
        OpenPort(
            "10.20.40.30", 161, "udp", "snmp", "Fridge monitor v2.1", {"snmp_community": "public"}
        ),
    ],
    "192.168.77.0/24": [OpenPort("192.168.77.1", 53, service="dns")],
    "10.30.10.0/24": [OpenPort("10.30.10.12", 3389, service="rdp")],
}

# A week later: someone installed AnyDesk at reception, a workstation opened RDP,
# the lab server was updated, and the Toledo RDP was closed.
PORTS_AFTER_CHANGES: dict[str, tuple[list[OpenPort], list[tuple[str, int]]]] = {
    "10.20.10.0/24": (
        [
            OpenPort("10.20.10.40", 7070, service="anydesk"),
            OpenPort("10.20.10.21", 3389, service="rdp"),
        ],
        [],
    ),
    "10.20.20.0/24": (
        [OpenPort("10.20.20.15", 22, service="ssh", product="SSH-2.0-OpenSSH_9.6")],
        [("10.20.20.15", 22)],
    ),
    "10.30.10.0/24": ([], [("10.30.10.12", 3389)]),
}

POLICY = """zones:
  guest: [192.168.77.0/24]
  clinical: [10.20.10.0/24, 10.30.10.0/24]
  lab: [10.20.20.0/24]
  servers: [10.20.30.0/24]
  devices: [10.20.40.0/24]
controls:
  guest: ["192.168.77.1:53"]
rules:
  - {from: guest, to: lab, action: block, ports: any}
  - {from: guest, to: servers, action: block, ports: any}
  - {from: guest, to: devices, action: block, ports: any}
  - {from: guest, to: clinical, action: block, ports: any}
  - {from: clinical, to: servers, action: allow, ports: [443]}
  - {from: clinical, to: devices, action: block, ports: [23, 104]}
  - {from: lab, to: servers, action: allow, ports: [443, 2575]}
"""


def _verdict(
    rule: int,
    source: str,
    destination: str,
    action: str,
    ports: object,
    verdict: str,
    reason: str,
    evidence: list[list[object]],
) -> dict[str, object]:
    return {
        "rule": rule,
        "from": source,
        "to": destination,
        "action": action,
        "ports": ports,
        "verdict": verdict,
        "reason": reason,
        "evidence": evidence,
    }


# The guest Wi-Fi reaches the Orthanc web viewer; a clinical PC reaches telnet on a device.
PROBE_RUNS = [
    (
        "guest",
        timedelta(hours=1),
        [["192.168.77.1", 53, "open"]],
        [
            _verdict(0, "guest", "lab", "block", "any", "held", "nothing_answered", []),
            _verdict(
                1,
                "guest",
                "servers",
                "block",
                "any",
                "violated",
                "answered",
                [["10.20.30.9", 8042, "open"]],
            ),
            _verdict(2, "guest", "devices", "block", "any", "held", "nothing_answered", []),
            _verdict(3, "guest", "clinical", "block", "any", "held", "nothing_answered", []),
        ],
    ),
    (
        "clinical",
        timedelta(minutes=30),
        [],
        [
            _verdict(
                4,
                "clinical",
                "servers",
                "allow",
                [443],
                "held",
                "reached",
                [["10.20.30.5", 443, "open"]],
            ),
            _verdict(
                5,
                "clinical",
                "devices",
                "block",
                [23, 104],
                "violated",
                "answered",
                [["10.20.40.11", 23, "open"]],
            ),
        ],
    ),
]


def _record(
    scan_networks: dict[str, Network],
    cidr: str,
    ports: list[OpenPort],
    when: datetime,
    org: Organisation,
) -> Scan:
    hosts = sorted({p.address for p in ports})
    scan = Scan.objects.create(
        organisation=org,
        network=scan_networks[cidr],
        targets=cidr,
        ports="clinic",
        status="running",
        requested_by="demo",
    )
    do_record_observation(scan, Observation("scanner", hosts_up=hosts, open_ports=ports))
    Scan.objects.filter(pk=scan.pk).update(
        created_at=when, started_at=when, finished_at=when + timedelta(seconds=40)
    )
    return scan


def seed(org: Organisation, now: datetime) -> str:
    networks = {
        cidr: do_add_network(org, site, zone, cidr, "demo") for site, zone, cidr in NETWORKS
    }
    # Never scheduled: a demo seeded on a real box must not scan whatever network
    # happens to use these addresses there.
    Network.objects.filter(organisation=org).update(scan_every_days=0)
    week_ago = now - timedelta(days=7, hours=3)
    for cidr, ports in PORTS_BEFORE.items():
        _record(networks, cidr, ports, week_ago, org)
    for cidr, ports in PORTS_BEFORE.items():
        added, removed = PORTS_AFTER_CHANGES.get(cidr, ([], []))
        kept = [p for p in ports if (p.address, p.port) not in removed]
        _record(networks, cidr, kept + added, now - timedelta(hours=2), org)
    do_save_policy(org, POLICY, "demo")
    for zone, ago, controls, verdicts in PROBE_RUNS:
        ProbeRun.objects.create(
            organisation=org, zone=zone, ran_at=now - ago, controls=controls, verdicts=verdicts
        )
    return f"{len(networks)} networks, {2 * len(PORTS_BEFORE)} scans, a segmentation policy"
