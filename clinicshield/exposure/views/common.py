"""Small helpers the exposure pages share."""

from collections.abc import Iterable
from typing import Any

from ..core.knowledge import SEVERITIES
from ..models import Finding
from ..words import finding_row


def findings_by_risk(findings: Iterable[Finding]) -> list[tuple[str, list[dict[str, Any]]]]:
    """These findings as table rows, grouped by risk, worst first."""
    rows = [finding_row(f) for f in findings]
    return [
        (severity, [r for r in rows if r["risk"] == severity])
        for severity in reversed(SEVERITIES)
        if any(r["risk"] == severity for r in rows)
    ]
