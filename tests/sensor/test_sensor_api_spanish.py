"""The sensor API's refusals in Spanish. The sensor's probe-results endpoint refuses an unknown
state through exposure's do_record_reported_probe, so the sentence and its one translation
live in the exposure app's catalogue, not in the sensor's."""

import pytest
from django.test import Client

from clinicshield.accounts.actions import do_create_site_token
from clinicshield.accounts.models import Organisation
from tests.sensor.signed import post_json


@pytest.fixture
def token(org_a: Organisation) -> str:
    return do_create_site_token(org_a.sites.get(), "pc1", "test")


def test_an_unknown_probe_state_is_refused_in_spanish(token: str) -> None:
    payload = {"zone": "here", "states": [["127.77.5.10", 80, "maybe"]]}
    client = Client(headers={"Accept-Language": "es"})
    response = post_json(client, token, "/api/sensor/probe-results", payload)
    assert response.status_code == 400
    assert response.json()["message"] == "Estados de prueba desconocidos: maybe"
