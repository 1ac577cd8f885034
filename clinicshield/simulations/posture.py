"""Read-only figures of the simulations app for the dashboard: plain dicts, grouped queries.

Owned by the dashboard (issue 6); it reads this app's models. Its one write is the fold
of tracking hits not folded yet, so that the figures count every hit answered so far.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q

from clinicshield.accounts.models import Organisation

from .actions.folding import do_fold_hits
from .core.status import FAILURE_STATUSES
from .models import Campaign, Recipient

RECENT_DAYS = 180

FAILED = Q(status__in=sorted(FAILURE_STATUSES))
REPORTED = Q(reported_at__isnull=False)


def _last_campaign(org: Organisation) -> dict[str, Any] | None:
    campaign = (
        Campaign.objects.filter(organisation=org, launched_at__isnull=False)
        .order_by("-launched_at", "-id")
        .first()
    )
    if campaign is None:
        return None
    totals = Recipient.objects.filter(campaign=campaign, sent_at__isnull=False).aggregate(
        sent=Count("id"), clicked=Count("id", filter=FAILED), reported=Count("id", filter=REPORTED)
    )
    sent = totals["sent"]
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "kind": campaign.kind,
        "launched_at": campaign.launched_at,
        "sent": sent,
        "click_rate": totals["clicked"] / sent if sent else None,
        "report_rate": totals["reported"] / sent if sent else None,
    }


def simulation_posture(org: Organisation, now: datetime) -> dict[str, Any]:
    """Sent, failed and reported over the campaigns of the last 180 days, org-wide and per
    site name; days since the last campaign; the last campaign's click and report rates."""
    do_fold_hits()
    last = _last_campaign(org)
    if last is None:
        return {"set_up": False, "org": None, "sites": {}, "last_campaign": None}
    days_since = (now - last["launched_at"]).days
    recent = Recipient.objects.filter(
        campaign__organisation=org,
        campaign__launched_at__gte=now - timedelta(days=RECENT_DAYS),
        sent_at__isnull=False,
    )
    sites: dict[str, dict[str, Any]] = {}
    total = {"sent": 0, "failed": 0, "reported": 0, "days_since_last_campaign": days_since}
    for row in recent.values("site_name").annotate(
        sent=Count("id"),
        failed=Count("id", filter=FAILED),
        reported=Count("id", filter=REPORTED),
        last=Max("campaign__launched_at"),
    ):
        figures = {
            "sent": row["sent"],
            "failed": row["failed"],
            "reported": row["reported"],
            "days_since_last_campaign": (now - row["last"]).days,
        }
        if row["site_name"]:
            sites[row["site_name"]] = figures
        for key in ("sent", "failed", "reported"):
            total[key] += figures[key]
    return {"set_up": True, "org": total, "sites": sites, "last_campaign": last}
