"""Assigning modules: the interface other apps call, and the onboarding/refresh planner."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicshield.accounts.actions import audit
from clinicshield.accounts.models import Person
from clinicshield.lib.errors import UserError

from ..core.content import TRACK_OF_DEPARTMENT
from ..core.schedule import Completion, just_in_time_due, plan_onboarding, plan_refreshes
from ..mail import mail_connection
from ..models import REASON_CHOICES, Assignment
from ..queries import assignable, catalogue, policy_for, shipped_library
from .reminders import portal_links, send_assignment_notice

REASON_CODES = {code for code, _label in REASON_CHOICES}


def split_reason(reason: str) -> tuple[str, str]:
    """Callers pass either one of our reason codes or a sentence saying why.

    A sentence ("clicked the 'Invoice overdue' simulation on 3 May") is recorded as a
    just-in-time assignment with that sentence as its detail.
    """
    reason = reason.strip()
    if reason in REASON_CODES:
        return reason, ""
    return "just_in_time", reason[:300]


def do_assign_module(
    person: Person,
    module_key: str,
    *,
    reason: str,
    due: datetime | None = None,
    now: datetime | None = None,
    actor: Any = "system",
    notify: bool = True,
) -> Assignment:
    """Assign `module_key` to `person` now, recording why; email them a link to it.

    Idempotent for open work: if the person already has this module open, that assignment is
    returned (with its due date brought forward if `due` is earlier) instead of a second one.
    """
    now = now or timezone.now()
    if not person.active:
        raise UserError(
            "inactive_person", _("%(name)s has left the organisation.") % {"name": person.name}
        )
    org = person.organisation
    if module_key not in assignable(org):
        raise UserError(
            "unknown_module", _("There is no training module %(key)s.") % {"key": module_key}, 404
        )
    code, detail = split_reason(reason)
    due = due or just_in_time_due(now, policy_for(org))
    with transaction.atomic():
        existing = (
            Assignment.objects.select_for_update()
            .filter(person=person, module_key=module_key, completed_at__isnull=True)
            .first()
        )
        if existing is not None:
            if due < existing.due_at:
                existing.due_at = due
                existing.save(update_fields=["due_at"])
            return existing
        assignment = Assignment.objects.create(
            organisation=org,
            person=person,
            module_key=module_key,
            reason=code,
            reason_detail=detail,
            assigned_by=str(getattr(actor, "email", actor))[:200],
            assigned_at=now,
            due_at=due,
        )
        audit(org, actor, "training.assign", person.email, module=module_key, reason=code)
    if notify:
        send_assignment_notice(person, [assignment], now)
    return assignment


def do_assign_onboarding_and_refreshes(now: datetime) -> dict[str, int]:
    """The due job's work: onboarding tracks for people who have never been assigned them,
    refreshes for training about to expire. One email per person, however many modules."""
    created = {"onboarding": 0, "refresh": 0}
    people = Person.objects.filter(active=True).select_related("organisation")
    by_org: dict[int, list[Person]] = {}
    for person in people:
        by_org.setdefault(person.organisation_id, []).append(person)
    for persons in by_org.values():
        fresh = _assign_for_organisation(persons, now)
        if not fresh:
            continue
        by_person = {p.pk: p for p in persons}
        links = portal_links([by_person[pk] for pk in fresh])
        modules = catalogue(persons[0].organisation)
        with mail_connection() as connection:
            for person_id, items in fresh.items():
                for a in items:
                    created[a.reason] += 1
                send_assignment_notice(
                    by_person[person_id], items, now, connection, links[person_id], modules
                )
    return created


def _assign_for_organisation(persons: list[Person], now: datetime) -> dict[int, list[Assignment]]:
    """Plan and create one organisation's assignments in a single transaction.

    One bulk insert instead of one transaction per assignment: on SQLite every commit is a
    disk sync, and onboarding a chain means tens of thousands of rows.
    """
    org = persons[0].organisation
    policy = policy_for(org)
    modules = assignable(org)
    tracks = _tracks()
    with transaction.atomic():
        assignments = list(Assignment.objects.filter(organisation=org, person__active=True))
        ever = _keys_by_person(assignments)
        open_keys = {(a.person_id, a.module_key) for a in assignments if a.completed_at is None}
        completions = [
            Completion(a.person_id, a.module_key, a.completed_at)
            for a in assignments
            if a.completed_at is not None
        ]
        plans = plan_refreshes(completions, open_keys, now, policy)
        for person in persons:
            track = tracks.get(TRACK_OF_DEPARTMENT.get(person.department, ""), ())
            plans += plan_onboarding(
                person.pk, person.joined_at, track, ever.get(person.pk, set()), now, policy
            )
        active = {p.pk for p in persons}
        new = [
            Assignment(
                organisation=org,
                person_id=plan.person_id,
                module_key=plan.module_key,
                reason=plan.reason,
                assigned_at=now,
                due_at=plan.due_at,
            )
            for plan in plans
            if plan.person_id in active
            and plan.module_key in modules
            and (plan.person_id, plan.module_key) not in open_keys
        ]
        Assignment.objects.bulk_create(new)
        if new:
            audit(org, "system", "training.assign_due", "", assignments=len(new))
    fresh: dict[int, list[Assignment]] = {}
    for a in new:
        fresh.setdefault(a.person_id, []).append(a)
    return fresh


def _tracks() -> dict[str, tuple[str, ...]]:
    return shipped_library().tracks


def _keys_by_person(assignments: list[Assignment]) -> dict[int, set[str]]:
    keys: dict[int, set[str]] = {}
    for a in assignments:
        keys.setdefault(a.person_id, set()).add(a.module_key)
    return keys
