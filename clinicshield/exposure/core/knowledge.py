"""The port knowledge base and the zone-aware risk of an open port.

Risk depends on where the port is: SMB on a file server in the server zone is expected
(low); SMB on a workstation is high; SMB in, or reachable from, the guest Wi-Fi is
critical. `critical_from` lists the zones where an open port is critical, whether the
host lives there or the scan was run from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

KB_FILE = Path(__file__).resolve().parent.parent / "content" / "ports.yaml"
SEVERITIES = ("info", "low", "medium", "high", "critical")
ZONES = ("clinical", "lab", "admin", "guest", "servers", "devices", "unknown")
LANGUAGES = ("en", "es")
HIGH_RISK = frozenset({"high", "critical"})


class KnowledgeBaseError(ValueError):
    """An entry of the knowledge base file is incomplete (entry index and field in the message)."""


@dataclass(frozen=True)
class PortEntry:
    port: int
    proto: str
    service: str
    severity: str
    expected_in: frozenset[str]
    critical_from: frozenset[str]
    name: dict[str, str]
    risk: dict[str, str]
    advice: dict[str, str]


@dataclass(frozen=True)
class Assessment:
    severity: str
    reason: str  # expected_in_zone, critical_in_zone, base, unknown_port, dicom_open_to_anyone
    entry: PortEntry | None


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


def _entry(raw: dict[str, Any], index: int, source: str) -> PortEntry:
    where = f"{source}: entry {index}"
    for key in ("port", "proto", "service", "severity", "name", "risk", "advice"):
        if key not in raw:
            raise KnowledgeBaseError(f"{where} has no '{key}'")
    if raw["severity"] not in SEVERITIES:
        raise KnowledgeBaseError(
            f"{where}: severity '{raw['severity']}' is not one of {SEVERITIES}"
        )
    for key in ("name", "risk", "advice"):
        missing = [lang for lang in LANGUAGES if not str(raw[key].get(lang, "")).strip()]
        if missing:
            raise KnowledgeBaseError(f"{where} (port {raw['port']}): '{key}' lacks {missing}")
    zones = set(raw.get("expected_in", [])) | set(raw.get("critical_from", []))
    if zones - set(ZONES):
        raise KnowledgeBaseError(f"{where}: unknown zones {sorted(zones - set(ZONES))}")
    return PortEntry(
        port=int(raw["port"]),
        proto=str(raw["proto"]),
        service=str(raw["service"]),
        severity=str(raw["severity"]),
        expected_in=frozenset(raw.get("expected_in", [])),
        critical_from=frozenset(raw.get("critical_from", [])),
        name=dict(raw["name"]),
        risk=dict(raw["risk"]),
        advice=dict(raw["advice"]),
    )


def parse_knowledge_base(text: str, source: str = "ports.yaml") -> dict[tuple[int, str], PortEntry]:
    # libyaml's parser when PyYAML was built with it: a tenth of the pure-Python one's time,
    # paid by every scan that records findings.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(text, Loader=loader) or {}  # noqa: S506 (a safe loader)
    entries: dict[tuple[int, str], PortEntry] = {}
    for index, raw in enumerate(document.get("entries", []), start=1):
        entry = _entry(raw, index, source)
        key = (entry.port, entry.proto)
        if key in entries:
            raise KnowledgeBaseError(f"{source}: entry {index} repeats {entry.port}/{entry.proto}")
        entries[key] = entry
    return entries


@cache
def knowledge_base() -> dict[tuple[int, str], PortEntry]:
    return parse_knowledge_base(KB_FILE.read_text(encoding="utf-8"), str(KB_FILE.name))


def lookup(port: int, proto: str = "tcp") -> PortEntry | None:
    return knowledge_base().get((port, proto))


def assess(
    port: int,
    proto: str = "tcp",
    zone: str = "unknown",
    from_zone: str | None = None,
    details: dict[str, Any] | None = None,
) -> Assessment:
    """How risky this open port is for a host in `zone`, seen from `from_zone`."""
    entry = lookup(port, proto)
    details = details or {}
    if details.get("dicom_accepts_any_calling_ae"):
        # Any DICOM port that hands studies to an unknown caller is at least high.
        dicom = entry or lookup(104)
        critical = zone in ("guest", "admin") or from_zone in ("guest", "admin")
        return Assessment("critical" if critical else "high", "dicom_open_to_anyone", dicom)
    if details.get("snmp_community"):
        return Assessment("high", "snmp_default_community", lookup(161, "udp"))
    if entry is None:
        return Assessment("info", "unknown_port", None)
    if zone in entry.critical_from or (from_zone is not None and from_zone in entry.critical_from):
        return Assessment("critical", "critical_in_zone", entry)
    if zone in entry.expected_in:
        low = SEVERITIES[min(severity_rank(entry.severity), severity_rank("low"))]
        return Assessment(low, "expected_in_zone", entry)
    return Assessment(entry.severity, "base", entry)
