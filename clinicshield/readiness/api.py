"""REST endpoints of the readiness app, mounted at /api/readiness/."""

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router, Schema

from clinicshield.lib.api import api_org, api_token
from clinicshield.lib.errors import UserError

from . import actions
from .models import Drill, Incident
from .queries import incident_deadlines, scenario_rows

router = Router(tags=["readiness"])


class TaskOut(Schema):
    step_id: str
    title: str
    role: str
    status: str
    due_at: datetime


class DeadlineOut(Schema):
    code: str
    basis: str
    due_at: datetime | None
    state: str
    sent_at: datetime | None  # when the notification was recorded as sent
    # A deadline counted from another notification: "notification_sent" or, while the
    # sending time is not recorded, "notification_due"; and that moment.
    counted_from: str
    counted_from_at: datetime | None


class IncidentOut(Schema):
    number: int
    title: str
    status: str
    source: str
    source_ref: str
    playbook: str
    opened_at: datetime
    closed_at: datetime | None
    tasks: list[TaskOut]
    deadlines: list[DeadlineOut]


class IncidentIn(Schema):
    title: str
    source: str = "manual"
    source_ref: str = ""
    playbook: str = ""
    details: str = ""


def _out(incident: Incident) -> IncidentOut:
    deadlines = incident_deadlines(incident, timezone.now())
    return IncidentOut(
        number=incident.number,
        title=incident.title,
        status=incident.status,
        source=incident.source,
        source_ref=incident.source_ref,
        playbook=incident.playbook_key,
        opened_at=incident.opened_at,
        closed_at=incident.closed_at,
        tasks=[
            TaskOut(step_id=t.step_id, title=t.title, role=t.role, status=t.status, due_at=t.due_at)
            for t in incident.tasks.all()
        ],
        deadlines=[
            DeadlineOut(
                code=d.code,
                basis=d.basis,
                due_at=d.due_at,
                state=d.state,
                sent_at=_sent_at(incident, d.code),
                counted_from=d.counted_from,
                counted_from_at=d.counted_from_at,
            )
            for d in deadlines
        ],
    )


def _sent_at(incident: Incident, code: str) -> datetime | None:
    sent = incident.notified_at.get(code)
    return datetime.fromisoformat(sent) if sent else None


@router.get("/incidents", response=list[IncidentOut])
def list_incidents(request: HttpRequest) -> list[IncidentOut]:
    org = api_org(request)
    return [_out(i) for i in Incident.objects.filter(organisation=org).prefetch_related("tasks")]


@router.get("/incidents/{number}", response=IncidentOut)
def get_incident(request: HttpRequest, number: int) -> IncidentOut:
    org = api_org(request)
    return _out(get_object_or_404(Incident, organisation=org, number=number))


@router.post("/incidents", response={201: IncidentOut})
def open_incident(request: HttpRequest, payload: IncidentIn) -> tuple[int, IncidentOut]:
    token = api_token(request, "manager", gettext_lazy("This token may only read."))
    if payload.source == "staff_report":
        raise UserError("bad_source", _("Staff reports come from the portal or the poster."))
    incident = actions.do_open_incident(
        token.organisation,
        title=payload.title,
        source=payload.source,
        source_ref=payload.source_ref,
        playbook_key=payload.playbook,
        details=payload.details,
        actor=f"api: {token.name}",
    )
    return 201, _out(incident)


@router.get("/scenarios")
def list_scenarios(request: HttpRequest) -> list[dict]:
    return scenario_rows()


class DrillOut(Schema):
    id: int
    scenario: str
    language: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    percent: int | None


@router.get("/drills", response=list[DrillOut])
def list_drills(request: HttpRequest) -> list[DrillOut]:
    org = api_org(request)
    return [
        DrillOut(
            id=d.pk,
            scenario=d.scenario_key,
            language=d.language,
            status=d.status,
            started_at=d.started_at,
            finished_at=d.finished_at,
            percent=d.score.get("percent") if d.score else None,
        )
        for d in Drill.objects.filter(organisation=org)
    ]
