"""REST endpoints of the training app, mounted at /api/training/."""

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from clinicshield.accounts.models import Person
from clinicshield.lib.api import api_org, api_token

from . import actions
from .queries import catalogue, status_records

router = Router(tags=["training"])


class ModuleOut(Schema):
    key: str
    title: str
    languages: list[str]
    roles: list[str]
    pass_mark: int
    minutes: int


class StatusOut(Schema):
    person: str
    email: str
    site: str
    department: str
    module: str
    reason: str
    assigned: datetime
    due: datetime
    state: str
    completed_at: datetime | None
    score: int | None
    freshness: str


class AssignIn(Schema):
    person_id: int
    module: str
    reason: str = "manual"
    due: datetime | None = None


class AssignmentOut(Schema):
    id: int
    person_id: int
    module: str
    reason: str
    reason_detail: str
    due: datetime


@router.get("/modules", response=list[ModuleOut])
def list_modules(request: HttpRequest) -> list[ModuleOut]:
    org = api_org(request)
    return [
        ModuleOut(
            key=m.key,
            title=m.title("en"),
            languages=list(m.languages),
            roles=list(m.roles),
            pass_mark=m.pass_mark,
            minutes=m.minutes,
        )
        for m in catalogue(org).values()
    ]


@router.get("/status", response=list[StatusOut])
def training_status(request: HttpRequest) -> list[StatusOut]:
    org = api_org(request)
    return [StatusOut(**record) for record in status_records(org, timezone.now())]


@router.post("/assignments", response={201: AssignmentOut})
def assign_module(request: HttpRequest, data: AssignIn) -> tuple[int, AssignmentOut]:
    token = api_token(request, "manager", _("This token may not assign training."))
    person = get_object_or_404(Person, pk=data.person_id, organisation=token.organisation)
    assignment = actions.do_assign_module(
        person, data.module, reason=data.reason, due=data.due, actor=f"api:{token.name}"
    )
    return 201, AssignmentOut(
        id=assignment.pk,
        person_id=person.pk,
        module=assignment.module_key,
        reason=assignment.reason,
        reason_detail=assignment.reason_detail,
        due=assignment.due_at,
    )
