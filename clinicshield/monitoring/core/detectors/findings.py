"""What a detector returns: typed findings, never raised errors."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
