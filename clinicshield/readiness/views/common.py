"""Small helpers the readiness views share."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clinicshield.accounts.models import Organisation

from ..actions import profile_for
from ..models import Drill
from ..queries import drill_due_since


def report_page_url(org: Organisation) -> str:
    token = profile_for(org).report_token
    return settings.SITE_URL + reverse("readiness_public:report", args=[token])


def drill_overdue(org: Organisation) -> bool:
    """Never drilled, or the six months of the reminder job have run out."""
    never = not Drill.objects.filter(organisation=org, status="finished").exists()
    return never or timezone.now() >= drill_due_since(org)
