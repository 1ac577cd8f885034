"""Small helpers the exposure pages share."""

from typing import Any

from ..core.knowledge import SEVERITIES
from ..models import Scan
from ..queries import findings_of
from ..words import finding_row


def findings_by_risk(scans: list[Scan]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The findings of these scans as table rows, grouped by risk, worst first."""
    rows = [finding_row(f) for f in findings_of(scans)]
    return [
        (severity, [r for r in rows if r["risk"] == severity])
        for severity in reversed(SEVERITIES)
        if any(r["risk"] == severity for r in rows)
    ]
