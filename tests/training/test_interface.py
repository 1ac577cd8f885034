"""`do_assign_module`, the interface other apps call (e.g. simulations after a click)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from clinicshield.accounts.actions import do_create_api_token
from clinicshield.accounts.models import Organisation, Person
from clinicshield.lib.errors import UserError
from clinicshield.training.actions import do_assign_module
from clinicshield.training.models import Assignment


def test_a_sentence_as_reason_is_recorded_as_just_in_time(lucia: Person) -> None:
    assignment = do_assign_module(
        lucia, "phishing", reason="clicked the 'Factura pendiente' simulation"
    )
    assert assignment.reason == "just_in_time"
    assert assignment.reason_detail == "clicked the 'Factura pendiente' simulation"
    assert timedelta(days=13) < assignment.due_at - timezone.now() <= timedelta(days=14)


def test_assigning_an_open_module_again_returns_the_same_assignment(lucia: Person) -> None:
    first = do_assign_module(lucia, "phishing", reason="onboarding")
    sooner = timezone.now() + timedelta(days=2)
    second = do_assign_module(lucia, "phishing", reason="clicked a simulation", due=sooner)
    assert second.pk == first.pk
    assert Assignment.objects.get().due_at == sooner


def test_unknown_modules_and_leavers_are_refused(lucia: Person) -> None:
    with pytest.raises(UserError) as error:
        do_assign_module(lucia, "no-such-module", reason="manual")
    assert error.value.code == "unknown_module"
    Person.objects.filter(pk=lucia.pk).update(active=False)
    lucia.refresh_from_db()
    with pytest.raises(UserError) as error:
        do_assign_module(lucia, "phishing", reason="manual")
    assert error.value.code == "inactive_person"
    assert not Assignment.objects.exists()


def test_the_api_assigns_with_a_manager_token_only(org_a: Organisation, lucia: Person) -> None:
    viewer = Client(HTTP_AUTHORIZATION=f"Bearer {do_create_api_token(org_a, 'v', 'viewer', 't')}")
    body = {"person_id": lucia.pk, "module": "phone-scams", "reason": "failed a vishing drill"}
    response = viewer.post("/api/training/assignments", body, content_type="application/json")
    assert response.status_code == 403
    manager = Client(HTTP_AUTHORIZATION=f"Bearer {do_create_api_token(org_a, 'm', 'manager', 't')}")
    response = manager.post("/api/training/assignments", body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["reason_detail"] == "failed a vishing drill"
    status = viewer.get("/api/training/status").json()
    assert [(s["email"], s["module"], s["state"]) for s in status] == [
        ("lucia@a.example", "phone-scams", "assigned")
    ]
    modules = {m["key"] for m in viewer.get("/api/training/modules").json()}
    assert "clickfix" in modules


def test_the_api_cannot_assign_to_another_organisations_staff(
    org_a: Organisation, outsider: Person
) -> None:
    manager = Client(HTTP_AUTHORIZATION=f"Bearer {do_create_api_token(org_a, 'm', 'manager', 't')}")
    body = {"person_id": outsider.pk, "module": "phishing"}
    response = manager.post("/api/training/assignments", body, content_type="application/json")
    assert response.status_code == 404
    assert not Assignment.objects.exists()
