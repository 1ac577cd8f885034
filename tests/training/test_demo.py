"""The demo history: a year of training, some people overdue, and pages that show it."""

from django.test import Client
from django.utils import timezone

from clinicshield.accounts.models import Organisation, Person
from clinicshield.training.demo import seed
from clinicshield.training.models import Assignment, QuizAttempt


def test_the_demo_has_history_and_overdue_staff(
    client_alice: Client, org_a: Organisation, lucia: Person, tom: Person, marta: Person
) -> None:
    summary = seed(org_a, timezone.now())
    assert "people overdue" in summary
    assert Assignment.objects.filter(organisation=org_a, reason="refresh").exists()
    overdue = Assignment.objects.filter(
        organisation=org_a, completed_at__isnull=True, due_at__lt=timezone.now()
    )
    assert overdue.exists() and all(a.escalated_at for a in overdue)
    assert QuizAttempt.objects.filter(organisation=org_a, passed=False).exists()
    page = client_alice.get("/o/clinic-a/training/").content.decode()
    late_name = overdue.first().person.name  # type: ignore[union-attr]
    assert late_name in page
    assert "Which of these is a legitimate request from a website?" in page  # most missed
