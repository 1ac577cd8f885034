"""charlie (organisation B) must get 404 on every page of organisation A; bob (viewer of A)
must not change what alice (owner of A) can."""

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from clinicshield.accounts.models import Membership, Organisation, Person


def org_urls() -> list[str]:
    """Every URL under /o/<org_slug>/, with 1 for any other parameter."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("o/<slug:org_slug>/"):
                found.append(route)

    walk(get_resolver().url_patterns, "")
    urls = []
    for route in found:
        url = "/" + route.replace("<slug:org_slug>", "clinic-a")
        while "<" in url:
            start, end = url.index("<"), url.index(">")
            url = url[:start] + "1" + url[end + 1 :]
        urls.append(url.replace("^", "").replace("$", ""))
    return urls


def test_there_are_organisation_urls_to_check() -> None:
    assert "/o/clinic-a/people/" in org_urls()
    assert len(org_urls()) >= 8


@pytest.mark.parametrize("url", org_urls())
def test_charlie_gets_404_on_every_url_of_organisation_a(
    client_charlie: Any, org_a: Organisation, alice: Any, url: str
) -> None:
    assert client_charlie.get(url).status_code == 404
    assert client_charlie.post(url, {}).status_code == 404


def test_alice_sees_her_staff_page(client_alice: Any) -> None:
    assert client_alice.get("/o/clinic-a/people/").status_code == 200


def test_bob_can_look_but_cannot_add_members_or_import(
    client_bob: Any, org_a: Organisation
) -> None:
    assert client_bob.get("/o/clinic-a/people/").status_code == 200
    assert client_bob.get("/o/clinic-a/people/members/").status_code == 403
    response = client_bob.post(
        "/o/clinic-a/people/members/", {"email": "mallory@x.example", "role": "owner"}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user__email="mallory@x.example").exists()
    assert client_bob.post("/o/clinic-a/people/import/", {}).status_code == 403


def test_alice_can_add_a_member(client_alice: Any, org_a: Organisation) -> None:
    response = client_alice.post(
        "/o/clinic-a/people/members/", {"email": "dora@a.example", "role": "manager"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(user__email="dora@a.example").role == "manager"


def test_charlie_cannot_send_a_portal_link_to_alices_staff(
    client_charlie: Any, org_a: Organisation
) -> None:
    person = Person.objects.create(
        organisation=org_a, name="Ana", email="ana@a.example", department="lab"
    )
    url = f"/o/clinic-b/people/{person.pk}/link/"
    assert client_charlie.post(url).status_code == 404
