"""State of the monitoring app.

- sources: LogSource (a stream of events an organisation sends us) and its formats;
- alerts: Alert, Suppression (a false positive's pattern), ServiceAccount, DetectionRun,
  and the severities and statuses of alerts.
"""

from .alerts import (
    ACTIVE_STATUSES,
    SEVERITY_CHOICES,
    SEVERITY_RANK,
    STATUS_CHOICES,
    Alert,
    DetectionRun,
    ServiceAccount,
    Suppression,
)
from .sources import FORMAT_CHOICES, LogSource

__all__ = [
    "ACTIVE_STATUSES",
    "FORMAT_CHOICES",
    "SEVERITY_CHOICES",
    "SEVERITY_RANK",
    "STATUS_CHOICES",
    "Alert",
    "DetectionRun",
    "LogSource",
    "ServiceAccount",
    "Suppression",
]
