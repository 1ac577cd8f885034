"""REST endpoints of the dashboard app, mounted at /api/dashboard/."""

from ninja import Router

router = Router(tags=["dashboard"])
