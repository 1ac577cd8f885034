"""The rows every training report is built from: one per person and module, and the questions
people missed."""

from __future__ import annotations

from datetime import datetime

from clinicshield.accounts.models import Organisation

from ..core.progress import StatusRow
from ..models import Assignment, QuizAttempt


def status_rows(org: Organisation, include_left: bool = False) -> list[StatusRow]:
    """The latest assignment of each (person, module), with the person's last completion."""
    assignments = Assignment.objects.filter(organisation=org).select_related("person__site")
    if not include_left:
        assignments = assignments.filter(person__active=True)
    latest: dict[tuple[int, str], Assignment] = {}
    last_done: dict[tuple[int, str], datetime] = {}
    for a in assignments.order_by("assigned_at", "pk"):
        key = (a.person_id, a.module_key)
        latest[key] = a
        if a.completed_at is not None:
            last_done[key] = max(a.completed_at, last_done.get(key, a.completed_at))
    rows = []
    for key, a in latest.items():
        person = a.person
        rows.append(
            StatusRow(
                person_id=person.pk,
                person_name=person.name,
                email=person.email,
                site=person.site.name if person.site else "",
                department=person.department,
                module_key=a.module_key,
                reason=a.reason,
                assigned_at=a.assigned_at,
                due_at=a.due_at,
                completed_at=a.completed_at,
                last_completed_at=last_done.get(key),
                score=a.score,
            )
        )
    return sorted(rows, key=lambda r: (r.person_name, r.email, r.module_key))


def missed_by_attempt(org: Organisation) -> list[tuple[str, list[str]]]:
    return [
        (module_key, list(missed))
        for module_key, missed in QuizAttempt.objects.filter(organisation=org).values_list(
            "module_key", "missed"
        )
    ]
