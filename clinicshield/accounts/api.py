"""REST endpoints of the accounts app, mounted at /api/accounts/."""

from ninja import Router

router = Router(tags=["accounts"])
