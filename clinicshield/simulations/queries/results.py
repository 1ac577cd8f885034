"""Results of a campaign and of the organisation's campaigns over time (reads only)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db.models import Count

from clinicshield.accounts.models import Organisation

from ..core.results import (
    CampaignResults,
    RecipientOutcome,
    compute_results,
    repeat_offenders,
    results_by,
    trend,
)
from ..models import Campaign, TrackingEvent


def outcomes(campaign: Campaign) -> list[RecipientOutcome]:
    return [
        RecipientOutcome(
            person_key=r.email,
            status=r.status,
            sent_at=r.sent_at,
            reported_at=r.reported_at,
            site=r.site_name,
            department=r.department,
        )
        for r in campaign.recipients.all().order_by("pk")
    ]


def campaign_results(campaign: Campaign) -> CampaignResults:
    return compute_results(campaign.kind, outcomes(campaign))


def unverified_counts(campaign: Campaign) -> dict[str, int]:
    """Events we did not count because a scanner, not a person, made them."""
    rows = (
        TrackingEvent.objects.filter(recipient__campaign=campaign, verified=False)
        .values("event")
        .annotate(n=Count("id"))
    )
    return {row["event"]: row["n"] for row in rows}


def results_document(campaign: Campaign) -> dict[str, Any]:
    """Everything `campaign results --format json` and the API print."""
    all_outcomes = outcomes(campaign)
    totals = asdict(compute_results(campaign.kind, all_outcomes))
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "template": campaign.template_key,
        "kind": campaign.kind,
        "state": campaign.state,
        "totals": totals,
        "unverified_events": unverified_counts(campaign),
        "detections": campaign.detections,
        "by_site": {
            k: asdict(v) for k, v in results_by(campaign.kind, all_outcomes, "site").items()
        },
        "by_department": {
            k: asdict(v) for k, v in results_by(campaign.kind, all_outcomes, "department").items()
        },
        "recipients": [
            {
                "email": r.email,
                "status": r.status,
                "send_state": r.send_state,
                "sent_at": r.sent_at,
                "reported_at": r.reported_at,
            }
            for r in campaign.recipients.all().order_by("pk")
        ],
    }


def org_history(org: Organisation) -> dict[str, Any]:
    """Trend across launched campaigns, and the people who failed more than once."""
    campaigns = list(
        Campaign.objects.filter(organisation=org, launched_at__isnull=False).order_by("launched_at")
    )
    per_campaign = [(c, outcomes(c)) for c in campaigns]
    points = trend(
        (c.name, c.launched_at, compute_results(c.kind, o))
        for c, o in per_campaign
        if c.launched_at is not None
    )
    return {
        "trend": points,
        "repeat_offenders": repeat_offenders(o for _c, o in per_campaign),
    }
