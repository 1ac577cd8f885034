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


def test_a_deadline_says_when_its_notification_was_sent_and_what_the_next_counts_from(
    org_a: Any,
) -> None:
    from datetime import UTC, datetime

    from clinicshield.readiness import actions

    actions.do_set_regimes(org_a, ["gdpr", "nis2"], "test")
    opened = datetime(2026, 4, 6, 7, 0, tzinfo=UTC)
    incident = actions.do_open_incident(
        org_a,
        title="Breach",
        source="manual",
        playbook_key="data-breach",
        opened_at=opened,
        notify=False,
    )
    actions.do_set_breach_facts(
        incident, "test", aware_at=opened, affected=None, largest_state=None, high_risk=False
    )
    sent = datetime(2026, 4, 7, 13, 0, tzinfo=UTC)
    actions.do_mark_notified(incident, "nis2_notification", "test", at=sent)
    token = do_create_api_token(org_a, "report", "viewer", "test")
    body = Client().get(f"/api/readiness/incidents/{incident.number}", **bearer(token)).json()
    deadlines = {d["code"]: d for d in body["deadlines"]}
    notification, final = deadlines["nis2_notification"], deadlines["nis2_final_report"]

    def moment(text: str) -> datetime:
        return datetime.fromisoformat(text)

    assert notification["state"] == "done" and moment(notification["sent_at"]) == sent
    assert final["sent_at"] is None and final["counted_from"] == "notification_sent"
    assert moment(final["counted_from_at"]) == sent
    assert moment(final["due_at"]) == datetime(2026, 5, 7, 13, 0, tzinfo=UTC)


def test_the_incidents_command_gives_when_each_notification_was_sent(org_a: Any) -> None:
    from datetime import UTC, datetime

    from clinicshield.readiness import actions
    from clinicshield.readiness.management.commands.incidents import incident_row

    opened = datetime(2026, 4, 6, 7, 0, tzinfo=UTC)
    incident = actions.do_open_incident(
        org_a,
        title="Breach",
        source="manual",
        playbook_key="data-breach",
        opened_at=opened,
        notify=False,
    )
    sent = datetime(2026, 4, 7, 13, 0, tzinfo=UTC)
    actions.do_mark_notified(incident, "gdpr_authority", "test", at=sent)
    incident.refresh_from_db()
    row = incident_row(incident)
    assert row["notified"] == ["gdpr_authority"]
    assert datetime.fromisoformat(row["notified_at"]["gdpr_authority"]) == sent
