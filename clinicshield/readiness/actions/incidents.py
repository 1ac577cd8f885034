"""Incidents: opened by staff reports, monitoring alerts, exposure findings or IT."""

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clinicshield.accounts.actions import audit
from clinicshield.accounts.actions.audit import actor_name
from clinicshield.accounts.models import Organisation, Person
from clinicshield.lib.errors import UserError
from clinicshield.lib.notify import send_webhook

from ..core.catalogue import shipped_catalogue
from ..core.planning import plan_tasks
from ..mail import incident_url, recipients, send_incident_opened
from ..models import Evidence, Incident, IncidentTask, ReadinessProfile, TimelineEntry
from ..queries import adaptation_for, incident_deadlines, organisation_language
from ..words import timeline_sentence
from .setup import profile_for

SOURCES = {code for code, _label in Incident.SOURCES}
# Alerts and findings are raised again while they last: one open incident per source_ref.
DEDUPLICATED_SOURCES = {"monitoring", "exposure"}
MAX_EVIDENCE_BYTES = 50 * 1024 * 1024


def add_timeline(
    incident: Incident, kind: str, text: str, actor: Any, at: datetime | None = None
) -> TimelineEntry:
    """An entry of what people wrote (a note, a report's details), shown as written."""
    return TimelineEntry.objects.create(
        incident=incident, at=at or timezone.now(), kind=kind, text=text, actor=actor_name(actor)
    )


def add_notice(
    incident: Incident,
    kind: str,
    code: str,
    actor: Any,
    *,
    at: datetime | None = None,
    **params: Any,
) -> TimelineEntry:
    """An entry of ours: a code of words.TIMELINE_SENTENCES and its params, put into words in
    the reader's language when shown; `text` keeps the English words for other readers."""
    with translation.override("en"):
        text = timeline_sentence(code, params, code)
    return TimelineEntry.objects.create(
        incident=incident,
        at=at or timezone.now(),
        kind=kind,
        text=text,
        code=code,
        params=params,
        actor=actor_name(actor),
    )


def _create_tasks(incident: Incident) -> None:
    if not incident.playbook_key:
        return
    playbook = shipped_catalogue().playbook(incident.playbook_key, incident.language)
    adaptation = adaptation_for(incident.organisation, incident.playbook_key)
    IncidentTask.objects.bulk_create(
        IncidentTask(
            incident=incident,
            step_id=task.step_id,
            position=task.position,
            role=task.role,
            title=task.title,
            details=task.details,
            local_note=task.local_note,
            checklist=[{"id": c.id, "text": c.text, "done": False} for c in task.checklist],
            clock=task.clock or "",
            due_at=task.due_at,
        )
        for task in plan_tasks(playbook, incident.opened_at, adaptation)
    )


def do_open_incident(
    org: Organisation,
    *,
    title: str,
    source: str,
    source_ref: str = "",
    reporter: Person | None = None,
    playbook_key: str = "",
    reporter_name: str = "",
    details: str = "",
    opened_at: datetime | None = None,
    actor: Any = "system",
    notify: bool = True,
) -> Incident:
    """Open an incident with the playbook's tasks, and tell IT and the owner.

    A monitoring alert or exposure finding that is already an open incident (same source and
    source_ref) returns that incident instead of opening a second one. `reporter` is the
    member of staff (accounts.Person) who reported it, if any.
    """
    if source not in SOURCES:
        raise UserError("bad_source", _("Unknown incident source: %s") % source)
    if playbook_key and playbook_key not in shipped_catalogue().playbooks["en"]:
        raise UserError("unknown_playbook", _("There is no playbook %s.") % playbook_key)
    if not title.strip():
        raise UserError("missing_title", _("An incident needs a title."))
    with transaction.atomic():
        if source in DEDUPLICATED_SOURCES and source_ref:
            existing = (
                Incident.objects.filter(organisation=org, source=source, source_ref=source_ref)
                .exclude(status="closed")
                .first()
            )
            if existing is not None:
                return existing
        incident = _insert_incident(
            org,
            title,
            source,
            source_ref,
            reporter,
            playbook_key,
            reporter_name,
            opened_at or timezone.now(),
        )
        _create_tasks(incident)
        if details:
            add_timeline(incident, "opened", details, actor, at=incident.opened_at)
        else:
            add_notice(incident, "opened", "opened", actor, at=incident.opened_at)
        audit(org, actor, "readiness.incident.open", str(incident), source=source)
        if notify:  # only the demo and imports of past incidents pass False
            transaction.on_commit(lambda: _queue_notification(incident.pk, details))
    return incident


def _queue_notification(incident_id: int, details: str) -> None:
    from ..tasks import notify_incident_opened_task  # late: tasks imports these actions

    notify_incident_opened_task(incident_id, details)


def notify_incident_opened(incident_id: int, details: str = "") -> None:
    """What follows an incident's opening, out of the request (a Huey task): the emails and
    the webhook. A mail server that is down must not lose the incident: failures are logged
    and written on the incident's timeline, where IT will see them."""
    incident = Incident.objects.select_related("organisation").get(pk=incident_id)
    to = recipients(incident)
    with timezone.override(ZoneInfo(incident.organisation.timezone)):  # the clinic's clock
        sent, failed = send_incident_opened(incident, to, details)
    for address, error in failed:
        add_notice(incident, "notify", "email_failed", "system", address=address, error=str(error))
    if to:
        add_notice(
            incident,
            "notify",
            "email_sent",
            "system",
            sent=sent,
            total=len(to),
            addresses=", ".join(to),
        )
    if incident.organisation.webhook_url:
        accepted = send_webhook(
            incident.organisation, "incident.opened", incident_payload(incident)
        )
        add_notice(
            incident, "notify", "webhook_accepted" if accepted else "webhook_failed", "system"
        )


def incident_payload(incident: Incident) -> dict[str, Any]:
    return {
        "number": incident.number,
        "title": incident.title,
        "source": incident.source,
        "source_ref": incident.source_ref,
        "playbook": incident.playbook_key,
        "opened_at": incident.opened_at.isoformat(),
        "reporter": incident.reporter_name,
        "url": incident_url(incident),
    }


def _insert_incident(
    org: Organisation,
    title: str,
    source: str,
    source_ref: str,
    reporter: Person | None,
    playbook_key: str,
    reporter_name: str,
    opened_at: datetime,
) -> Incident:
    # Numbers are per organisation: lock its readiness profile row while taking the next one
    # (PostgreSQL refuses FOR UPDATE on an aggregate; the unique constraint is the backstop).
    ReadinessProfile.objects.select_for_update().filter(pk=profile_for(org).pk).first()
    last = Incident.objects.filter(organisation=org).aggregate(n=Max("number"))
    language = reporter.language if reporter else organisation_language(org)
    starts_clock = (
        bool(playbook_key) and shipped_catalogue().playbook(playbook_key, "en").clock_starts_at_open
    )
    return Incident.objects.create(
        organisation=org,
        number=(last["n"] or 0) + 1,
        title=title.strip()[:300],
        source=source,
        source_ref=source_ref[:200],
        playbook_key=playbook_key,
        language=language,
        reporter=reporter,
        reporter_name=(reporter.name if reporter else reporter_name)[:200],
        opened_at=opened_at,
        aware_at=opened_at if starts_clock else None,
    )


def do_set_task_status(
    task: IncidentTask, status: str, actor: Any, checked: list[str] | None = None, owner: Any = None
) -> IncidentTask:
    """Move a task on; `owner` (a login user of the organisation) takes it when given."""
    if status not in {code for code, _label in IncidentTask.STATUSES}:
        raise UserError("bad_status", _("Unknown task status."))
    if (
        owner is not None
        and not owner.memberships.filter(organisation=task.incident.organisation).exists()
    ):
        raise UserError("bad_owner", _("The owner must be a member of this organisation."))
    with transaction.atomic():
        task.status = status
        task.done_at = timezone.now() if status in ("done", "skipped") else None
        if checked is not None:
            task.checklist = [{**item, "done": item["id"] in checked} for item in task.checklist]
        fields = ["status", "done_at", "checklist", "owner"]
        if owner is not None and owner.pk != task.owner_id:
            task.owner = owner
            fields += _forget_reminders(task)  # the new owner has been told nothing yet
        task.save(update_fields=fields)
        owner = {"owner": actor_name(task.owner)} if task.owner else {}
        code = "task_status_owner" if task.owner else "task_status"
        add_notice(task.incident, "task", code, actor, title=task.title, status=status, **owner)
    return task


def do_add_note(incident: Incident, text: str, actor: Any) -> TimelineEntry:
    if not text.strip():
        raise UserError("empty_note", _("The note is empty."))
    return add_timeline(incident, "note", text.strip(), actor)


def do_add_evidence(
    incident: Incident, upload: UploadedFile, description: str, actor: Any
) -> Evidence:
    """Keep a file with its SHA-256; written under DATA_DIR, never served from static paths."""
    if upload.size is not None and upload.size > MAX_EVIDENCE_BYTES:
        raise UserError("evidence_too_large", _("Files of up to 50 MB can be attached."))
    folder = Path(settings.DATA_DIR) / "readiness" / "evidence" / str(incident.pk)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    partial = folder / f".incoming-{timezone.now().timestamp()}"
    with partial.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    final = folder / digest.hexdigest()
    partial.replace(final)  # atomic: a crash leaves a stray .incoming file, never a half file
    with transaction.atomic():
        evidence = Evidence.objects.create(
            incident=incident,
            description=description.strip()[:300] or (upload.name or "file"),
            filename=Path(upload.name or "file").name[:255],
            path=str(final),
            sha256=digest.hexdigest(),
            size=final.stat().st_size,
            added_at=timezone.now(),
            added_by=actor_name(actor),
        )
        add_timeline(
            incident, "evidence", f"{evidence.filename} (SHA-256 {evidence.sha256[:16]}…)", actor
        )
    return evidence


def do_set_breach_facts(
    incident: Incident,
    actor: Any,
    *,
    aware_at: datetime | None,
    affected: int | None,
    largest_state: int | None,
    high_risk: bool,
) -> Incident:
    with transaction.atomic():
        incident.aware_at = aware_at
        incident.affected_individuals = affected
        incident.largest_state_count = largest_state
        incident.high_risk = high_risk
        incident.save(
            update_fields=["aware_at", "affected_individuals", "largest_state_count", "high_risk"]
        )
        if aware_at:
            add_notice(incident, "clock", "facts_updated", actor, aware_at=aware_at.isoformat())
        else:
            add_notice(incident, "clock", "facts_cleared", actor)
        _align_clock_tasks(incident)
    return incident


def _align_clock_tasks(incident: Incident) -> None:
    """A task that meets a legal deadline is due by that deadline at the latest.

    Its playbook limit counts from the opening, the law from awareness: when the clinic knew
    before it opened the incident, or the awareness time is corrected, the task moves with the
    law; a shorter limit of the playbook's own (ClickFix's 24-hour assessment) stays.
    """
    if not incident.playbook_key:
        return
    playbook = shipped_catalogue().playbook(incident.playbook_key, incident.language)
    adaptation = adaptation_for(incident.organisation, incident.playbook_key)
    planned = {t.step_id: t.due_at for t in plan_tasks(playbook, incident.opened_at, adaptation)}
    legal = {d.code: d.due_at for d in incident_deadlines(incident, incident.opened_at) if d.due_at}
    for task in incident.tasks.exclude(clock=""):
        due = planned.get(task.step_id, task.due_at)
        if task.clock in legal:
            due = min(due, legal[task.clock])
        if due != task.due_at:
            task.due_at = due
            # A reminder already sent named the old due time: the new one gets its own.
            task.save(update_fields=["due_at", *_forget_reminders(task)])


def _forget_reminders(task: IncidentTask) -> list[str]:
    """Let the reminder job speak of this task again; the fields to save."""
    task.due_soon_reminded_at = None
    task.overdue_reminded_at = None
    return ["due_soon_reminded_at", "overdue_reminded_at"]


def do_mark_notified(
    incident: Incident, code: str, actor: Any, reference: str = "", at: datetime | None = None
) -> Incident:
    """Record that the notification `code` was sent, at `at` (now when not given); the first
    sending counts. A deadline counted from it (NIS2's final report) and its task follow."""
    at = at or timezone.now()
    with transaction.atomic():
        if code not in incident.notified:
            incident.notified = [*incident.notified, code]
            incident.notified_at = {**incident.notified_at, code: at.isoformat()}
            incident.save(update_fields=["notified", "notified_at"])
        if reference:
            add_notice(
                incident,
                "clock",
                "notified_reference",
                actor,
                at=at,
                clock=code,
                reference=reference,
            )
        else:
            add_notice(incident, "clock", "notified", actor, at=at, clock=code)
        _align_clock_tasks(incident)
    return incident


def do_mark_contained(incident: Incident, actor: Any) -> Incident:
    """The spread is stopped; recovery and notifications go on until the closing review."""
    if incident.status != "open":
        raise UserError("not_open", _("Only an open incident can be marked as contained."), 409)
    with transaction.atomic():
        incident.status = "contained"
        incident.save(update_fields=["status"])
        add_notice(incident, "status", "contained", actor)
    return incident


def do_close_incident(
    incident: Incident,
    actor: Any,
    *,
    root_cause: str,
    went_well: str,
    lessons: str,
    improvements: list[str],
    now: datetime | None = None,
) -> Incident:
    from .setup import do_add_improvement

    if not lessons.strip():
        raise UserError("missing_lessons", _("Write down the lessons learned before closing."))
    now = now or timezone.now()
    with transaction.atomic():
        incident.status = "closed"
        incident.closed_at = now
        incident.root_cause = root_cause.strip()
        incident.went_well = went_well.strip()
        incident.lessons_learned = lessons.strip()
        incident.save(
            update_fields=["status", "closed_at", "root_cause", "went_well", "lessons_learned"]
        )
        for title in improvements:
            if title.strip():
                do_add_improvement(incident.organisation, title, incident=incident, now=now)
        add_notice(incident, "status", "closed", actor, at=now)
        audit(incident.organisation, actor, "readiness.incident.close", str(incident))
    return incident
