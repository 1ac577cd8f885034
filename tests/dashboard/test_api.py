from typing import Any

from django.test import Client

from clinicshield.accounts.actions import do_create_api_token
from clinicshield.dashboard.actions import do_record_scores
from tests.dashboard.builders import NOW, seed_known


def test_a_token_reads_its_own_organisations_score_and_history(org_a: Any, org_b: Any) -> None:
    seed_known(org_a)
    do_record_scores(org_a, NOW)
    client_a = Client(HTTP_AUTHORIZATION=f"Bearer {do_create_api_token(org_a, 's', 'viewer', 't')}")
    client_b = Client(HTTP_AUTHORIZATION=f"Bearer {do_create_api_token(org_b, 's', 'viewer', 't')}")
    score = client_a.get("/api/dashboard/score").json()
    assert score["organisation"] == "clinic-a"
    assert {s["site"] for s in score["sites"]} == {"Madrid", "Toledo"}
    assert score["next_actions"][0]["points"] >= score["next_actions"][-1]["points"]
    assert [row["total"] for row in client_a.get("/api/dashboard/history").json()] == [56]
    other = client_b.get("/api/dashboard/score").json()
    assert other["organisation"] == "clinic-b" and other["total"] == 0
    assert client_b.get("/api/dashboard/history").json() == []
    assert Client().get("/api/dashboard/score").status_code == 401
