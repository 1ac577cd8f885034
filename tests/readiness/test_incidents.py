"""Incidents: tasks from playbooks, the interface other apps call, the page, the review."""

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from clinicshield.lib.errors import UserError
from clinicshield.readiness import actions
from clinicshield.readiness.models import Incident, IncidentTask
from clinicshield.readiness.queries import incident_deadlines

LOG_LINE = b"DENY 10.0.0.5 -> 203.0.113.9:443\n"


def open_breach(org: Any, **kwargs: Any) -> Incident:
    return actions.do_open_incident(
        org,
        title="Lista de pacientes enviada por error",
        source="manual",
        playbook_key="data-breach",
        **kwargs,
    )


def test_it_opens_an_incident_with_the_playbooks_tasks_due_from_opening(org_a: Any) -> None:
    opened = timezone.now() - timedelta(hours=2)
    incident = actions.do_open_incident(
        org_a,
        title="Ransom note on PC-3",
        source="manual",
        playbook_key="ransomware",
        opened_at=opened,
    )
    tasks = list(incident.tasks.all())
    assert [t.step_id for t in tasks][:2] == ["isolate", "call_it"]
    assert tasks[0].due_at == opened + timedelta(minutes=5)
    assert tasks[0].checklist[0] == {
        "id": "unplugged",
        "text": tasks[0].checklist[0]["text"],
        "done": False,
    }
    assert incident.number == 1
    assert actions.do_open_incident(org_a, title="Second", source="manual").number == 2


def test_monitoring_alerts_reuse_the_open_incident_until_it_is_closed(org_a: Any) -> None:
    first = actions.do_open_incident(
        org_a,
        title="Impossible travel: ana",
        source="monitoring",
        source_ref="alert:12",
        playbook_key="suspicious-sign-in",
    )
    again = actions.do_open_incident(
        org_a,
        title="Impossible travel: ana",
        source="monitoring",
        source_ref="alert:12",
        playbook_key="suspicious-sign-in",
    )
    assert again.pk == first.pk
    actions.do_close_incident(
        first, "test", root_cause="VPN", went_well="", lessons="Ask first", improvements=[]
    )
    later = actions.do_open_incident(
        org_a, title="Impossible travel: ana", source="monitoring", source_ref="alert:12"
    )
    assert later.pk != first.pk


def test_it_refuses_an_unknown_playbook_or_source_by_name(org_a: Any) -> None:
    with pytest.raises(UserError, match="nope"):
        actions.do_open_incident(org_a, title="x", source="manual", playbook_key="nope")
    with pytest.raises(UserError, match="rumour"):
        actions.do_open_incident(org_a, title="x", source="rumour")
    assert not Incident.objects.exists()


def test_the_clock_runs_72_hours_from_awareness_in_the_clinics_time_zone(org_a: Any) -> None:
    incident = open_breach(org_a)
    assert incident.aware_at == incident.opened_at
    [authority] = incident_deadlines(incident, incident.opened_at + timedelta(hours=70))
    assert authority.code == "gdpr_authority" and authority.state == "due_soon"
    assert authority.due_at is not None and str(authority.due_at.tzinfo) == "Europe/Madrid"
    actions.do_mark_notified(incident, "gdpr_authority", "test", "REG-2026-1")
    assert incident_deadlines(incident, timezone.now())[0].state == "done"


def test_hipaa_deadlines_appear_when_the_organisation_is_under_hipaa(org_a: Any) -> None:
    actions.do_set_regimes(org_a, ["gdpr", "hipaa"], "test")
    incident = open_breach(org_a)
    actions.do_set_breach_facts(
        incident,
        "test",
        aware_at=incident.opened_at,
        affected=1200,
        largest_state=800,
        high_risk=True,
    )
    codes = {d.code for d in incident_deadlines(incident, incident.opened_at)}
    assert codes == {
        "gdpr_authority",
        "gdpr_individuals",
        "hipaa_individuals",
        "hipaa_hhs",
        "hipaa_media",
    }


def test_the_incident_page_shows_tasks_and_clock_and_a_viewer_cannot_change_it(
    org_a: Any, client_alice: Client, client_bob: Client
) -> None:
    incident = open_breach(org_a)
    page = client_alice.get(f"/o/clinic-a/readiness/incidents/{incident.number}/").content.decode()
    assert "Notify the data protection authority" in page
    assert "Record when the clinic became aware" in page
    assert client_bob.get(f"/o/clinic-a/readiness/incidents/{incident.number}/").status_code == 200
    denied = client_bob.post(
        f"/o/clinic-a/readiness/incidents/{incident.number}/notes/", {"text": "hi"}
    )
    assert denied.status_code == 403


def test_it_updates_a_task_its_checklist_and_owner_from_the_page(
    org_a: Any, alice: Any, charlie: Any, client_alice: Client
) -> None:
    incident = open_breach(org_a)
    task = incident.tasks.get(step_id="record_awareness")
    url = f"/o/clinic-a/readiness/incidents/{incident.number}/tasks/{task.pk}/"
    response = client_alice.post(url, {"status": "done", "checked": ["time"], "owner": alice.pk})
    assert response.status_code == 302
    task = IncidentTask.objects.get(pk=task.pk)
    assert task.status == "done" and task.done_at is not None
    assert [i["done"] for i in task.checklist] == [True, False]
    assert task.owner == alice
    assert incident.timeline.filter(kind="task", text__contains="alice@a.example").exists()
    client_alice.post(url, {"status": "doing", "owner": charlie.pk})  # not a member of A
    assert IncidentTask.objects.get(pk=task.pk).owner == alice
    with pytest.raises(UserError, match="member"):
        actions.do_set_task_status(task, "doing", "test", owner=charlie)


def test_evidence_is_kept_with_its_hash_and_only_members_download_it(
    org_a: Any, client_alice: Client, client_charlie: Client
) -> None:
    incident = open_breach(org_a)
    upload = SimpleUploadedFile("firewall.log", LOG_LINE)
    client_alice.post(
        f"/o/clinic-a/readiness/incidents/{incident.number}/evidence/",
        {"file": upload, "description": "Firewall log"},
    )
    evidence = incident.evidence.get()
    assert evidence.sha256 == hashlib.sha256(LOG_LINE).hexdigest()
    assert incident.timeline.filter(kind="evidence").exists()
    url = f"/o/clinic-a/readiness/incidents/{incident.number}/evidence/{evidence.pk}/"
    assert b"".join(client_alice.get(url).streaming_content) == LOG_LINE
    assert client_charlie.get(url).status_code == 404


def test_closing_needs_lessons_and_opens_improvement_tasks(
    org_a: Any, client_alice: Client
) -> None:
    incident = open_breach(org_a)
    base = f"/o/clinic-a/readiness/incidents/{incident.number}/close/"
    client_alice.post(base, {"root_cause": "Autocomplete", "lessons": ""})
    assert Incident.objects.get(pk=incident.pk).status == "open"
    client_alice.post(
        base,
        {
            "root_cause": "Autocomplete picked the wrong address",
            "lessons": "Check recipients",
            "improvements": "Turn off autocomplete\n\nTrain billing",
        },
    )
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.closed_at is not None
    assert sorted(t.title for t in incident.improvements.all()) == [
        "Train billing",
        "Turn off autocomplete",
    ]


def test_an_open_incident_can_be_marked_contained_once(org_a: Any, client_alice: Client) -> None:
    incident = open_breach(org_a)
    url = f"/o/clinic-a/readiness/incidents/{incident.number}/contained/"
    assert client_alice.post(url).status_code == 302
    incident.refresh_from_db()
    assert incident.status == "contained"
    assert incident.timeline.filter(kind="status").exists()
    with pytest.raises(UserError, match="Only an open incident"):
        actions.do_mark_contained(incident, "test")


def test_an_awareness_time_typed_on_the_page_is_the_clinics_local_time(
    org_a: Any, client_alice: Client
) -> None:
    incident = actions.do_open_incident(
        org_a, title="Phished", source="manual", playbook_key="clickfix"
    )
    assert incident.aware_at is None  # ClickFix is not yet a breach: no clock
    client_alice.post(
        f"/o/clinic-a/readiness/incidents/{incident.number}/facts/",
        {"aware_at": "2026-03-06T08:15", "affected": "40", "high_risk": "on"},
    )
    incident.refresh_from_db()
    assert incident.aware_at == datetime(2026, 3, 6, 7, 15, tzinfo=UTC)  # 08:15 in Madrid (CET)
    assert incident.affected_individuals == 40 and incident.high_risk
    page = client_alice.get(f"/o/clinic-a/readiness/incidents/{incident.number}/")
    assert "Tell the people affected" in page.content.decode()


@pytest.mark.parametrize("owner", ["9" * 30, "abc", "-1"])
def test_a_tampered_owner_id_names_no_owner_instead_of_failing(
    org_a: Any, alice: Any, client_alice: Client, owner: str
) -> None:
    incident = open_breach(org_a)
    task = incident.tasks.get(step_id="record_awareness")
    url = f"/o/clinic-a/readiness/incidents/{incident.number}/tasks/{task.pk}/"
    assert client_alice.post(url, {"status": "doing", "owner": owner}).status_code == 302
    task = IncidentTask.objects.get(pk=task.pk)
    assert task.status == "doing" and task.owner is None
