"""Periodic jobs of the readiness app."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clinicshield.accounts.models import Membership, Organisation
from clinicshield.lib.due import due_job
from clinicshield.lib.notify import send_email

from .actions import profile_for
from .actions.incidents import organisation_language

DRILL_INTERVAL = timedelta(days=182)  # "run a drill every six months"
REMIND_AGAIN_AFTER = timedelta(days=30)  # until someone does


def drill_due_since(org: Organisation) -> datetime:
    """When the next drill became due: six months after the last one (or after sign-up)."""
    last = org.drills.filter(status="finished").aggregate(last=Max("finished_at"))["last"]
    return (last or org.created_at) + DRILL_INTERVAL


def _should_remind(org: Organisation, now: datetime) -> bool:
    due = drill_due_since(org)
    if now < due:
        return False
    sent = profile_for(org).drill_reminder_sent_at
    return sent is None or sent < due or now - sent >= REMIND_AGAIN_AFTER


@due_job("readiness.drill_reminder", hour="7", minute="30")
def remind_to_run_drills(now: datetime) -> str:
    """Email owners and IT of every organisation whose last drill is six months old or more."""
    reminded = []
    for org in Organisation.objects.all():
        if not _should_remind(org, now):
            continue
        members = Membership.objects.filter(organisation=org, role__in=["owner", "it"])
        emails = sorted({m.user.email for m in members.select_related("user") if m.user.email})
        if emails:
            url = settings.SITE_URL + reverse("readiness:drills", args=[org.slug])
            send_email(
                emails,
                _("Time for a tabletop drill"),
                "readiness/email/drill_reminder",
                {"org": org, "url": url, "due_since": drill_due_since(org)},
                language=organisation_language(org),
            )
        profile = profile_for(org)
        profile.drill_reminder_sent_at = now
        profile.save(update_fields=["drill_reminder_sent_at"])
        reminded.append(org.slug)
    return f"reminded {len(reminded)}: {', '.join(reminded)}" if reminded else "nothing due"
