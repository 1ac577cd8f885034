"""REST endpoints of the accounts app: the organisation's sites and staff."""

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from .models import Person

router = Router(tags=["accounts"])


class SiteOut(Schema):
    id: int
    name: str
    timezone: str
    address: str


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
    org = request.auth.organisation  # type: ignore[attr-defined]
    return [SiteOut.from_orm(site) for site in org.sites.all()]


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
    org = request.auth.organisation  # type: ignore[attr-defined]
    people = Person.objects.filter(organisation=org, active=active).select_related("site")
    return [person_out(p) for p in people]


@router.get("/people/{person_id}", response=PersonOut)
def get_person(request: HttpRequest, person_id: int) -> PersonOut:
    org = request.auth.organisation  # type: ignore[attr-defined]
    p = get_object_or_404(Person.objects.select_related("site"), pk=person_id, organisation=org)
    return person_out(p)
