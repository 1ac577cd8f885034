"""The organisation's set-up: call tree, notification rules, adapted playbooks, overview."""

from typing import Any

from django.test import Client

from clinicshield.readiness import actions
from clinicshield.readiness.models import CallTreeContact, PlaybookAdaptation


def test_the_overview_asks_for_a_first_drill_and_a_call_tree(
    org_a: Any, client_alice: Client
) -> None:
    page = client_alice.get("/o/clinic-a/readiness/").content.decode()
    assert "No tabletop drill in the last six months" in page
    assert "Fill in who to call" in page
    assert "/o/clinic-a/readiness/playbooks/ransomware/poster.pdf" in page


def test_a_manager_fills_the_call_tree_and_a_viewer_only_reads_it(
    org_a: Any, client_alice: Client, client_bob: Client
) -> None:
    contact = {
        "kind": "it_support",
        "name": "MSP Salud",
        "phone": "+34 910 555 010",
        "email": "guardia@msp.example",
        "notify_on_report": "on",
    }
    assert client_alice.post("/o/clinic-a/readiness/call-tree/", contact).status_code == 302
    saved = CallTreeContact.objects.get(organisation=org_a)
    assert saved.notify_on_report and saved.email == "guardia@msp.example"
    client_bob.post("/o/clinic-a/readiness/call-tree/", {**contact, "name": "Intruder"})
    assert CallTreeContact.objects.filter(organisation=org_a).count() == 1
    assert "MSP Salud" in client_bob.get("/o/clinic-a/readiness/call-tree/").content.decode()
    denied = client_bob.post(f"/o/clinic-a/readiness/call-tree/{saved.pk}/delete/")
    assert denied.status_code == 403


def test_notification_rules_are_chosen_per_organisation(org_a: Any, client_alice: Client) -> None:
    client_alice.post("/o/clinic-a/readiness/regimes/", {"regime": ["hipaa", "gdpr"]})
    assert actions.profile_for(org_a).regimes == ["gdpr", "hipaa"]


def test_an_adapted_playbook_shapes_the_next_incident(org_a: Any, client_alice: Client) -> None:
    url = "/o/clinic-a/readiness/playbooks/clickfix/"
    response = client_alice.post(
        url,
        {
            "role-triage": "manager",
            "within-triage": "30m",
            "note-report": "Llamar a MSP Salud: 910 555 010",
            "skip-use_another_computer": "on",
        },
    )
    assert response.status_code == 302
    incident = actions.do_open_incident(org_a, title="x", source="manual", playbook_key="clickfix")
    tasks = {t.step_id: t for t in incident.tasks.all()}
    assert "use_another_computer" not in tasks
    assert tasks["triage"].role == "manager"
    assert (tasks["triage"].due_at - incident.opened_at).total_seconds() == 30 * 60
    assert tasks["report"].local_note == "Llamar a MSP Salud: 910 555 010"
    assert "Llamar a MSP Salud" in client_alice.get(url).content.decode()


def test_a_legal_step_cannot_be_skipped_even_by_a_forged_form(
    org_a: Any, client_alice: Client
) -> None:
    response = client_alice.post(
        "/o/clinic-a/readiness/playbooks/clickfix/", {"skip-breach_assessment": "on"}, follow=True
    )
    assert "cannot be skipped" in response.content.decode()
    assert not PlaybookAdaptation.objects.exists()


def test_an_unknown_playbook_is_404_and_spanish_staff_see_spanish_steps(
    org_a: Any, client_alice: Client, settings: Any
) -> None:
    assert client_alice.get("/o/clinic-a/readiness/playbooks/nope/").status_code == 404
    client_alice.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client_alice.get("/o/clinic-a/readiness/playbooks/ransomware/").content.decode()
    assert "Pasa a los procedimientos sin sistemas" in page and "Adaptar este paso" in page
