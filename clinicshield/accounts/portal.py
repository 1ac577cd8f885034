"""The staff portal session: a magic link puts a person id in the session, nothing more.

Staff have no password and no login user; `person_view` gives a view `request.person` and
sends anyone without a valid portal session to a page that explains how to get a new link.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation

from clinicshield.accounts.models import Person

from .tenancy import activate_timezone

SESSION_KEY = "portal_person"


def start_portal_session(request: HttpRequest, person: Person) -> None:
    request.session.cycle_key()  # a fresh session id: no fixation across the link
    request.session[SESSION_KEY] = person.pk


def portal_person(request: HttpRequest) -> Person | None:
    person_id = request.session.get(SESSION_KEY)
    if person_id is None:
        return None
    return (
        Person.objects.select_related("organisation", "site")
        .filter(pk=person_id, active=True)
        .first()
    )


def current_person(request: HttpRequest) -> Person:
    """The person of a portal page (set by `person_view`)."""
    return cast(Person, request.person)  # type: ignore[attr-defined]


def person_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        person = portal_person(request)
        if person is None:
            return redirect("portal:expired")
        request.person = person  # type: ignore[attr-defined]
        activate_timezone(person.site.timezone if person.site else person.organisation.timezone)
        # Staff see the portal in their own language unless they switched it.
        language = request.COOKIES.get("django_language") or person.language
        request.LANGUAGE_CODE = language
        try:
            with translation.override(language):
                return view(request, *args, **kwargs)
        finally:
            timezone.deactivate()

    return wrapper
