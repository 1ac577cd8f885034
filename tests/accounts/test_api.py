from typing import Any

from django.test import Client

from clinicshield.accounts.actions import do_create_api_token
from clinicshield.accounts.models import ApiToken, Organisation, Person


def people(org: Organisation) -> Person:
    return Person.objects.create(
        organisation=org, name="Ana", email="ana@x.example", department="lab"
    )


def test_the_api_needs_a_token(db: Any) -> None:
    assert Client().get("/api/accounts/people").status_code == 401
    assert Client().get("/api/accounts/people", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_a_token_sees_only_its_own_organisation(org_a: Organisation, org_b: Organisation) -> None:
    ana_a = people(org_a)
    people(org_b)
    token_b = do_create_api_token(org_b, "charlie's script", "viewer", "test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_b}")
    listed = client.get("/api/accounts/people").json()
    assert [p["email"] for p in listed] == ["ana@x.example"]
    assert listed[0]["id"] != ana_a.pk
    assert client.get(f"/api/accounts/people/{ana_a.pk}").status_code == 404


def test_only_the_hash_of_a_token_is_stored_and_revocation_works(org_a: Organisation) -> None:
    token = do_create_api_token(org_a, "script", "viewer", "test")
    stored = ApiToken.objects.get()
    assert token not in (stored.token_hash, stored.prefix) and stored.prefix == token[:10]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/accounts/sites").status_code == 200
    from clinicshield.accounts.actions import do_revoke_api_token

    do_revoke_api_token(stored, "test")
    assert client.get("/api/accounts/sites").status_code == 401


def test_openapi_docs_are_served(db: Any) -> None:
    assert Client().get("/api/openapi.json").status_code == 200
