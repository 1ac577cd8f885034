"""REST endpoints of the simulations app, mounted at /api/simulations/."""

from ninja import Router

router = Router(tags=["simulations"])
