"""REST endpoints of the readiness app, mounted at /api/readiness/."""

from ninja import Router

router = Router(tags=["readiness"])
