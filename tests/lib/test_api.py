"""The API's organisation and role check, with real tokens on real requests."""

from typing import Any

import pytest
from django.test import RequestFactory

from clinicshield.accounts.actions import do_create_api_token, find_api_token
from clinicshield.accounts.models import Organisation
from clinicshield.lib.api import api_org, api_token
from clinicshield.lib.errors import UserError


def request_with(token: Any) -> Any:
    request = RequestFactory().get("/api/anything")
    request.auth = token
    return request


@pytest.mark.parametrize(
    ("role", "needed", "allowed"),
    [
        ("viewer", "viewer", True),
        ("viewer", "manager", False),
        ("manager", "manager", True),
        ("manager", "it", False),
        ("it", "manager", True),
        ("owner", "it", True),
    ],
)
def test_a_token_may_do_what_its_role_reaches(
    org_a: Organisation, role: str, needed: str, allowed: bool
) -> None:
    token = find_api_token(do_create_api_token(org_a, "t", role, "test"))
    request = request_with(token)
    if allowed:
        assert api_org(request, needed) == org_a
        assert api_token(request, needed).name == "t"
    else:
        with pytest.raises(UserError) as refused:
            api_org(request, needed, "This token may not assign training.")
        assert (refused.value.code, refused.value.status) == ("forbidden", 403)
        assert str(refused.value.message) == "This token may not assign training."


def test_a_refusal_without_a_sentence_gets_the_general_one(org_a: Organisation) -> None:
    token = find_api_token(do_create_api_token(org_a, "t", "viewer", "test"))
    with pytest.raises(UserError, match="role may not do this"):
        api_org(request_with(token), "owner")


def test_an_endpoint_with_another_authentication_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="not an organisation's API token"):
        api_org(request_with(None))
