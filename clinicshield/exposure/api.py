"""REST endpoints of the exposure app, mounted at /api/exposure/."""

from ninja import Router

router = Router(tags=["exposure"])
