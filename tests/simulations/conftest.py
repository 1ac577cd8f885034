"""Fixtures of the simulations tests: staff to target and a campaign sending to the SMTP sink."""

from collections.abc import Iterator
from typing import Any

import pytest

from clinicshield.accounts.models import Organisation, Person, Site
from clinicshield.simulations import actions
from clinicshield.simulations.models import Campaign

BASE_URL = "http://testserver"

STAFF = [
    ("Ana García", "ana@clinic-a.example", "reception", "Madrid", "es"),
    ("Ben Carter", "ben@clinic-a.example", "clinician", "Madrid", "en"),
    ("Carla Ruiz", "carla@clinic-a.example", "lab", "Toledo", "es"),
]


@pytest.fixture
def staff(org_a: Organisation) -> list[Person]:
    toledo = Site.objects.create(organisation=org_a, name="Toledo", timezone="Europe/Madrid")
    sites = {"Madrid": org_a.sites.get(name="Madrid"), "Toledo": toledo}
    return [
        Person.objects.create(
            organisation=org_a, name=n, email=e, department=d, site=sites[s], language=lang
        )
        for n, e, d, s, lang in STAFF
    ]


@pytest.fixture
def settings_fast_humans(settings: Any) -> Any:
    # Tests follow links a moment after sending; a person would take minutes.
    settings.SIMULATIONS_MIN_HUMAN_SECONDS = 0
    return settings


def make_campaign(
    org: Organisation, smtp: Any, template: str = "ehr-password-expiry", targets: str = "all"
) -> Campaign:
    return actions.do_create_campaign(
        org,
        name=f"Drill {template}",
        template_key=template,
        targets=targets,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        from_address="it-support@sim.example",
        base_url=BASE_URL,
        actor="test",
    )


@pytest.fixture
def huey_immediate() -> Any:
    """Run background tasks at once, in the test's own thread and database."""
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = before


@pytest.fixture
def connection_kept_open() -> Iterator[None]:
    """Django's handler closes connections around a request; the test's transaction
    lives on its connection, so detach that, as Django's own test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
