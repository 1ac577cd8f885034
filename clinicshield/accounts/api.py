"""REST endpoints of the accounts app: the organisation's sites and staff."""

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from clinicshield.lib.api import api_org, api_token

from . import queries
from .actions import do_create_site_token
from .models import Person, Site

router = Router(tags=["accounts"])


class SiteOut(Schema):
    id: int
    name: str
    timezone: str
    address: str
    sensor_last_seen: datetime | None


class SiteTokenIn(Schema):
    name: str = "sensor"


class SiteTokenOut(Schema):
    site: str
    token: str


class PersonOut(Schema):
    id: int
    name: str
    email: str
    department: str
    language: str
    site: str | None
    active: bool
    joined_at: datetime


@router.get("/sites", response=list[SiteOut])
def list_sites(request: HttpRequest) -> list[SiteOut]:
    return [SiteOut.from_orm(site) for site in api_org(request).sites.all()]


@router.post("/sites/{site_id}/sensor-tokens", response={201: SiteTokenOut})
def create_site_token(
    request: HttpRequest, site_id: int, payload: SiteTokenIn
) -> Status[SiteTokenOut]:
    """A new site token for a sensor (role it or owner): how a chain provisions its sites'
    sensors by script. The token is in this answer only."""
    auth = api_token(request, "it", _("This token's role may not make site tokens."))
    site = get_object_or_404(Site, pk=site_id, organisation=auth.organisation)
    token = do_create_site_token(site, payload.name, f"api:{auth.name}")
    return Status(201, SiteTokenOut(site=site.name, token=token))


def person_out(p: Person) -> PersonOut:
    return PersonOut(
        id=p.pk,
        name=p.name,
        email=p.email,
        department=p.department,
        language=p.language,
        site=p.site.name if p.site else None,
        active=p.active,
        joined_at=p.joined_at,
    )


@router.get("/people", response=list[PersonOut])
def list_people(request: HttpRequest, active: bool = True) -> list[PersonOut]:
    return [person_out(p) for p in queries.people(api_org(request), active=active)]


@router.get("/people/{person_id}", response=PersonOut)
def get_person(request: HttpRequest, person_id: int) -> PersonOut:
    return person_out(get_object_or_404(queries.people(api_org(request)), pk=person_id))
