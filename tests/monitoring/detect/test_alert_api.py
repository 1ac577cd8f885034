from django.test import Client

from clinicshield.accounts.actions import do_create_api_token
from clinicshield.monitoring.actions import do_raise_alert

from .conftest import at


def raise_for(org):
    return do_raise_alert(
        org,
        kind="password_spray",
        severity="high",
        key="password_spray:45.9.1.1",
        explanation={
            "code": "password_spray",
            "params": {"src_ip": "45.9.1.1", "users": 12, "failures": 12, "minutes": 60},
        },
        ts=at("2025-02-01 03:00"),
        src_ip="45.9.1.1",
    )


def test_a_token_lists_only_its_organisations_alerts_explained(org_a, org_b):
    mine, theirs = raise_for(org_a), raise_for(org_b)
    client = Client(
        HTTP_AUTHORIZATION=f"Bearer {do_create_api_token(org_a, 'siem', 'viewer', 'test')}"
    )
    listed = client.get("/api/monitoring/alerts?language=es").json()
    assert [a["id"] for a in listed] == [mine.pk]
    assert listed[0]["explanation"].startswith("45.9.1.1 probó contraseñas en 12 cuentas distintas")
    assert client.get(f"/api/monitoring/alerts/{theirs.pk}").status_code == 404


def test_only_it_tokens_triage(org_a):
    alert = raise_for(org_a)
    viewer = Client(
        HTTP_AUTHORIZATION=f"Bearer {do_create_api_token(org_a, 'v', 'viewer', 'test')}"
    )
    it = Client(HTTP_AUTHORIZATION=f"Bearer {do_create_api_token(org_a, 'it', 'it', 'test')}")
    refused = viewer.post(f"/api/monitoring/alerts/{alert.pk}/resolve")
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "forbidden",
        "message": "This token's role may not triage alerts.",
    }
    alert.refresh_from_db()
    assert alert.status == "open"
    response = it.post(f"/api/monitoring/alerts/{alert.pk}/resolve")
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    assert it.post(f"/api/monitoring/alerts/{alert.pk}/resolve").status_code == 409
    assert it.post(f"/api/monitoring/alerts/{alert.pk}/incident").status_code == 200
    alert.refresh_from_db()
    assert alert.evidence["incident"] == 1
