"""What a detector returns: typed findings, never raised errors."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ._rows import text

SEVERITIES = ("low", "medium", "high", "critical")


@dataclass
class Finding:
    """One thing worth an alert.

    ``key`` identifies "the same thing continuing" (an open alert with the same kind and key
    grows instead of a new one being raised). ``code`` and ``params`` are the explanation:
    the Django layer renders them as one translated sentence.
    """

    kind: str
    severity: str
    key: str
    code: str
    params: dict[str, Any]
    first_seen: datetime
    last_seen: datetime
    count: int = 1
    user: str = ""
    src_ip: str = ""
    host: str = ""
    # Where the evidence is: record references plus the few fields that matter.
    evidence: dict[str, Any] = field(default_factory=dict)
    # For process detections: the command line (or registry value) that matched, so the
    # simulations app can recognise its own ClickFix campaign tokens.
    command_line: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r} for finding {self.kind}")


def grouped_finding(
    row: dict[str, Any],
    *,
    kind: str,
    severity: str,
    key: str,
    code: str,
    params: dict[str, Any],
    **evidence: Any,
) -> Finding:
    """A finding from one grouped row carrying user, first/last seen, count, src_ip, host and
    the first record_ref; ``evidence`` adds fields beside the record reference."""
    return Finding(
        kind=kind,
        severity=severity,
        key=key,
        code=code,
        params=params,
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        count=row["count"],
        user=row["user"],
        src_ip=text(row["src_ip"]),
        host=text(row["host"]),
        evidence={"record_refs": [text(row["record_ref"])], **evidence},
    )
