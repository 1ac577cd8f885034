"""State of the monitoring app."""

# Detection state (alerts, suppressions, service accounts, runs) lives in alert_models.py.
from .alert_models import Alert, DetectionRun, ServiceAccount, Suppression  # noqa: E402, F401
