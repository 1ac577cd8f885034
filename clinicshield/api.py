"""The REST API: one NinjaAPI with a router per app, authenticated by per-organisation tokens.

`Authorization: Bearer cs_...`. A token belongs to one organisation and carries a role;
`request.auth` is the ApiToken, and every endpoint filters on `request.auth.organisation`.
"""

import importlib
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer

from clinicshield.accounts.actions import find_api_token
from clinicshield.lib.errors import UserError


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return find_api_token(token)


api = NinjaAPI(
    title="ClinicShield API",
    version="1",
    auth=TokenAuth(),
    docs_url="/docs",
    urls_namespace="api",
)


@api.exception_handler(UserError)
def user_error(request: HttpRequest, error: UserError) -> Any:
    return api.create_response(
        request, {"code": error.code, "message": str(error.message)}, status=error.status
    )


for _app in (
    "accounts",
    "dashboard",
    "training",
    "simulations",
    "readiness",
    "monitoring",
    "exposure",
    "sensor",
):
    api.add_router(f"/{_app}/", importlib.import_module(f"clinicshield.{_app}.api").router)
