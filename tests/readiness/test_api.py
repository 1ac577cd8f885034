"""The readiness REST API: how scripts and other systems open and read incidents."""

from typing import Any

from django.test import Client

from clinicshield.accounts.actions import do_create_api_token


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_an_it_token_opens_an_incident_and_reads_it_back(org_a: Any) -> None:
    token = do_create_api_token(org_a, "siem", "it", "test")
    response = Client().post(
        "/api/readiness/incidents",
        {
            "title": "EDR: powershell from explorer",
            "source": "monitoring",
            "source_ref": "edr:991",
            "playbook": "clickfix",
        },
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == 1 and body["tasks"][0]["step_id"] == "disconnect"
    listed = Client().get("/api/readiness/incidents", **bearer(token)).json()
    assert [i["source_ref"] for i in listed] == ["edr:991"]


def test_a_viewer_token_may_read_but_not_open(org_a: Any) -> None:
    token = do_create_api_token(org_a, "dashboard", "viewer", "test")
    response = Client().post(
        "/api/readiness/incidents", {"title": "x"}, content_type="application/json", **bearer(token)
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_another_organisations_token_sees_none_of_its_incidents(org_a: Any, org_b: Any) -> None:
    mine = do_create_api_token(org_a, "siem", "it", "test")
    theirs = do_create_api_token(org_b, "siem", "it", "test")
    Client().post(
        "/api/readiness/incidents",
        {"title": "x", "source": "manual"},
        content_type="application/json",
        **bearer(mine),
    )
    assert Client().get("/api/readiness/incidents", **bearer(theirs)).json() == []
    assert Client().get("/api/readiness/incidents/1", **bearer(theirs)).status_code == 404


def test_scenarios_and_drills_are_listed_for_scripts(org_a: Any) -> None:
    from clinicshield.readiness import actions

    token = do_create_api_token(org_a, "report", "viewer", "test")
    scenarios = Client().get("/api/readiness/scenarios", **bearer(token)).json()
    assert len(scenarios) >= 4 and all(s["languages"] == ["en", "es"] for s in scenarios)
    drill = actions.do_start_drill(org_a, "lost-laptop", "es", "test")
    actions.do_record_decision(drill, "q-reception", ["report-it"])
    actions.do_finish_drill(drill, "test", went_well="", gaps_noted="", improvements=[])
    [listed] = Client().get("/api/readiness/drills", **bearer(token)).json()
    assert listed["status"] == "finished" and listed["percent"] == 9  # 2 of 23 points
