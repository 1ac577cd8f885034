"""/api/exposure/probe-plan and /api/exposure/probe-results called directly, as a sensor with an
organisation's API token calls them: no network is probed, the test reports what it "saw"."""

from typing import Any

import pytest
from django.test import Client

from clinicshield.accounts.actions import do_create_api_token
from clinicshield.accounts.models import Organisation
from clinicshield.exposure.actions import do_add_network, do_save_policy
from clinicshield.exposure.models import ProbeRun

PLAN = "/api/exposure/probe-plan"
RESULTS = "/api/exposure/probe-results"
PROBES = "/api/exposure/probes"

POLICY = """zones:
  here: [127.0.0.0/24]
  vault: [127.77.5.10/32]
controls:
  here: ["127.77.5.10:4242"]
targets:
  vault: [127.77.5.10]
rules:
  - {from: here, to: vault, action: block, ports: [4242]}
"""

VIOLATED = {"zone": "here", "states": [["127.77.5.10", 4242, "open"]]}


@pytest.fixture
def policy_a(org_a: Organisation) -> Organisation:
    do_add_network(org_a, "Madrid", "servers", "127.77.5.0/24", "test")
    do_save_policy(org_a, POLICY, "test")
    return org_a


def api(org: Organisation, role: str = "it") -> Client:
    token = do_create_api_token(org, f"{role} script", role, "test")
    return Client(headers={"Authorization": f"Bearer {token}"})


def post(client: Client, payload: Any) -> Any:
    return client.post(RESULTS, payload, content_type="application/json")


def test_both_endpoints_need_a_token(policy_a: Organisation) -> None:
    assert Client().get(PLAN, {"zone": "here"}).status_code == 401
    assert post(Client(), VIOLATED).status_code == 401
    forged = Client(headers={"Authorization": "Bearer cs_not-a-token"})
    assert forged.get(PLAN, {"zone": "here"}).status_code == 401
    assert post(forged, VIOLATED).status_code == 401
    assert not ProbeRun.objects.exists()


def test_a_viewer_token_may_neither_fetch_the_plan_nor_report(policy_a: Organisation) -> None:
    viewer = api(policy_a, "viewer")
    plan = viewer.get(PLAN, {"zone": "here"})
    reported = post(viewer, VIOLATED)
    assert (plan.status_code, reported.status_code) == (403, 403)
    assert reported.json() == {
        "code": "forbidden",
        "message": "This token's role may not start scans.",
    }
    assert not ProbeRun.objects.exists()


def test_the_plan_lists_the_endpoints_of_the_zone(policy_a: Organisation) -> None:
    response = api(policy_a).get(PLAN, {"zone": "here"})
    assert response.status_code == 200, response.content
    assert response.json() == {"zone": "here", "endpoints": [["127.77.5.10", 4242]]}


def test_a_good_report_is_judged_stored_and_listed(policy_a: Organisation) -> None:
    client = api(policy_a)
    response = post(client, VIOLATED)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["zone"] == "here"
    assert [(v["to"], v["verdict"]) for v in answer["verdicts"]] == [("vault", "violated")]
    assert answer["verdicts"][0]["evidence"] == [["127.77.5.10", 4242, "open"]]

    run = ProbeRun.objects.get(organisation=policy_a)
    assert run.pk == answer["id"] and run.controls == [["127.77.5.10", 4242, "open"]]
    listed = api(policy_a, "viewer").get(PROBES).json()
    assert [(r["id"], r["zone"]) for r in listed] == [(run.pk, "here")]
    assert listed[0]["verdicts"][0]["verdict"] == "violated"


def test_states_for_endpoints_outside_the_plan_are_ignored(policy_a: Organisation) -> None:
    payload = {
        "zone": "here",
        "states": [["127.77.5.10", 4242, "refused"], ["127.77.5.99", 22, "open"]],
    }
    response = post(api(policy_a), payload)
    assert response.status_code == 201, response.content
    run = ProbeRun.objects.get(organisation=policy_a)
    assert run.verdicts[0]["verdict"] == "held"
    assert "127.77.5.99" not in str(run.verdicts) + str(run.controls)


def test_another_organisations_token_never_reaches_this_policy_or_its_runs(
    policy_a: Organisation, org_b: Organisation
) -> None:
    post(api(policy_a), VIOLATED)
    charlie = api(org_b)

    plan = charlie.get(PLAN, {"zone": "here"})
    reported = post(charlie, VIOLATED)

    assert plan.status_code == 400 and plan.json()["code"] == "no_policy"
    assert reported.status_code == 400 and reported.json()["code"] == "no_policy"
    assert "127.77.5.10" not in plan.content.decode()
    assert charlie.get(PROBES).json() == []
    assert ProbeRun.objects.filter(organisation=org_b).count() == 0
    assert ProbeRun.objects.filter(organisation=policy_a).count() == 1


def test_a_zone_the_policy_does_not_know_is_refused(policy_a: Organisation) -> None:
    client = api(policy_a)
    plan = client.get(PLAN, {"zone": "attic"})
    reported = post(client, {**VIOLATED, "zone": "attic"})
    for response in (plan, reported):
        assert response.status_code == 400
        assert response.json()["code"] == "bad_zone" and "attic" in response.json()["message"]
    assert not ProbeRun.objects.exists()


def test_an_unknown_state_is_refused_by_name(policy_a: Organisation) -> None:
    payload = {"zone": "here", "states": [["127.77.5.10", 4242, "maybe"]]}
    response = post(api(policy_a), payload)
    assert response.status_code == 400
    assert response.json() == {"code": "bad_state", "message": "Unknown probe states: maybe"}
    assert not ProbeRun.objects.exists()


@pytest.mark.parametrize(
    ("payload", "where"),
    [
        ({"states": []}, ["body", "payload", "zone"]),
        ({"zone": "here"}, ["body", "payload", "states"]),
        (
            {"zone": "here", "states": [["127.77.5.10", "ssh", "open"]]},
            ["body", "payload", "states", 0, 1],
        ),
        (
            {"zone": "here", "states": [["127.77.5.10", 4242]]},
            ["body", "payload", "states", 0, 2],
        ),
    ],
    ids=["no zone", "no states", "port not a number", "state missing"],
)
def test_a_malformed_report_is_refused_saying_which_field(
    policy_a: Organisation, payload: dict[str, Any], where: list[Any]
) -> None:
    response = post(api(policy_a), payload)
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert [p["loc"] for p in problems] == [where]
    assert problems[0]["msg"]  # e.g. "Field required", "Input should be a valid integer"
    assert not ProbeRun.objects.exists()


def test_a_body_that_is_not_json_is_refused(policy_a: Organisation) -> None:
    response = api(policy_a).post(RESULTS, "zone=here", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body"}
    assert not ProbeRun.objects.exists()


def test_the_plan_needs_a_zone(policy_a: Organisation) -> None:
    response = api(policy_a).get(PLAN)
    assert response.status_code == 422
    assert any(p["loc"] == ["query", "zone"] for p in response.json()["detail"])
