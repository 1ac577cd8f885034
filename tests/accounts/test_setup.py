from typing import Any

from django.test import Client

from clinicshield.accounts.models import Membership, Organisation


def test_an_empty_install_leads_every_page_to_setup(db: Any) -> None:
    client = Client()
    response = client.get("/accounts/login/")
    assert response.status_code == 302 and response["Location"] == "/setup/"


def test_setup_creates_the_organisation_and_its_owner_then_asks_for_mfa(db: Any) -> None:
    client = Client()
    response = client.post(
        "/setup/",
        {
            "org_name": "Clínica Sol",
            "org_slug": "sol",
            "timezone": "Europe/Madrid",
            "email": "owner@sol.example",
            "password": "a long enough passphrase",
            "password_again": "a long enough passphrase",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/mfa/"
    org = Organisation.objects.get(slug="sol")
    assert Membership.objects.get(organisation=org).role == "owner"
    assert client.get("/setup/").status_code == 302  # only once


def test_setup_refused_for_its_password_leaves_no_organisation_behind(db: Any) -> None:
    # The organisation is created before the owner's password is checked: both or neither.
    response = Client().post(
        "/setup/",
        {
            "org_name": "Clínica Sol",
            "org_slug": "sol",
            "timezone": "Europe/Madrid",
            "email": "owner@sol.example",
            "password": "123456789012",
            "password_again": "123456789012",
        },
    )
    assert response.status_code == 200
    assert "entirely numeric" in response.content.decode()
    assert not Organisation.objects.exists()


def test_setup_refuses_a_bad_timezone_with_a_clear_message(db: Any) -> None:
    response = Client().post(
        "/setup/",
        {
            "org_name": "X",
            "org_slug": "x",
            "timezone": "Mars/Olympus",
            "email": "o@x.example",
            "password": "a long enough passphrase",
            "password_again": "a long enough passphrase",
        },
    )
    assert "Unknown timezone Mars/Olympus" in response.content.decode()
    assert not Organisation.objects.exists()
