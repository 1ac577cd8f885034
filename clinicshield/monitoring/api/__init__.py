"""REST endpoints of the monitoring app, mounted at /api/monitoring/.

- alerts: list, read and triage alerts, mounted under /alerts.
"""

from ninja import Router

from .alerts import router as alert_router

router = Router(tags=["monitoring"])
router.add_router("/alerts", alert_router)
