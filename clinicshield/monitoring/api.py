"""REST endpoints of the monitoring app, mounted at /api/monitoring/."""

from ninja import Router

router = Router(tags=["monitoring"])

# Alerts (list, read, triage) live in alert_api.py, mounted under /alerts.
from .alert_api import router as alert_router  # noqa: E402

router.add_router("/alerts", alert_router)
