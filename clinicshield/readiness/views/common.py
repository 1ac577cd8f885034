"""Small helpers the readiness views share."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation

from clinicshield.accounts.models import Organisation

from ..actions import profile_for
from ..due import drill_due_since
from ..models import Drill


def content_language(request: HttpRequest) -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE)[:2]


def report_page_url(org: Organisation) -> str:
    token = profile_for(org).report_token
    return settings.SITE_URL + reverse("readiness_public:report", args=[token])


def drill_overdue(org: Organisation) -> bool:
    """Never drilled, or the six months of the reminder job have run out."""
    never = not Drill.objects.filter(organisation=org, status="finished").exists()
    return never or timezone.now() >= drill_due_since(org)


def in_clinic_time(view: Callable[..., Any]) -> Callable[..., Any]:
    """Show and read times in the organisation's time zone (put it under `org_view`).

    An awareness time typed as 09:15 in Madrid must mean 09:15 in Madrid, or the 72-hour
    clock would be off by an hour or two.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        org = request.org  # type: ignore[attr-defined]
        with timezone.override(ZoneInfo(org.timezone)):
            return view(request, *args, **kwargs)

    return wrapper
