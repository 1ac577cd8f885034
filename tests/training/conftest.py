"""Staff of organisation A for the training tests: a receptionist, her manager, a lab tech."""

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from clinicshield.accounts.actions import do_create_magic_link
from clinicshield.accounts.models import Organisation, Person

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_person(org: Organisation, name: str, email: str, department: str, **extra: Any) -> Person:
    person = Person.objects.create(
        organisation=org,
        site=org.sites.first(),
        name=name,
        email=email,
        department=department,
        language=extra.pop("language", "es"),
        **extra,
    )
    Person.objects.filter(pk=person.pk).update(joined_at=extra.get("joined_at", T0))
    person.refresh_from_db()
    return person


@pytest.fixture
def marta(org_a: Organisation) -> Person:
    """Marta manages the front desk; staff report to her."""
    return make_person(org_a, "Marta Gil", "marta@a.example", "management")


@pytest.fixture
def lucia(org_a: Organisation, marta: Person) -> Person:
    """Lucía works at reception, reads in Spanish, and reports to Marta."""
    return make_person(org_a, "Lucía Pérez", "lucia@a.example", "reception", manager=marta)


@pytest.fixture
def tom(org_a: Organisation, marta: Person) -> Person:
    """Tom works in the lab and reads in English."""
    return make_person(org_a, "Tom Hart", "tom@a.example", "lab", manager=marta, language="en")


@pytest.fixture
def outsider(org_b: Organisation) -> Person:
    return make_person(org_b, "Olga Ruiz", "olga@b.example", "reception")


def portal_client(person: Person) -> Client:
    """A browser-less client that entered the portal through a real magic link."""
    client = Client()
    url = do_create_magic_link("portal", person=person)
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = client.post("/" + path)
    assert response.status_code == 302, response.content[:300]
    return client
