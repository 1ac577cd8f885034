"""Small helpers the readiness views share."""

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation

from clinicshield.accounts.models import Organisation

from ..actions import profile_for
from ..models import Drill

DRILL_INTERVAL = timedelta(days=182)  # "every six months"


def content_language(request: HttpRequest) -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE)[:2]


def report_page_url(org: Organisation) -> str:
    token = profile_for(org).report_token
    return settings.SITE_URL + reverse("readiness_public:report", args=[token])


def drill_overdue(org: Organisation) -> bool:
    last = (
        Drill.objects.filter(organisation=org, status="finished").order_by("-finished_at").first()
    )
    return (
        last is None
        or last.finished_at is None
        or (timezone.now() - last.finished_at > DRILL_INTERVAL)
    )
