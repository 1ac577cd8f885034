"""REST endpoints of the dashboard app, mounted at /api/dashboard/."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from clinicshield.lib.api import api_org

from .models import ScoreSnapshot
from .queries import compute_scores
from .words import score_report

router = Router(tags=["dashboard"])


@router.get("/score")
def score(request: HttpRequest) -> dict[str, Any]:
    """The security score now: total, components with evidence, next actions, and per site."""
    org = api_org(request)
    now = timezone.now()
    return score_report(org.slug, now, compute_scores(org, now))


@router.get("/history")
def history(request: HttpRequest, days: int = 90) -> list[dict[str, Any]]:
    """The organisation's daily score, oldest first (at most 3 years)."""
    org = api_org(request)
    rows = ScoreSnapshot.objects.filter(organisation=org, site__isnull=True).order_by("-day")
    kept = rows.values("day", "total", "points")[: max(1, min(days, 1100))]
    return [
        {"day": r["day"].isoformat(), "total": r["total"], "points": r["points"]} for r in kept
    ][::-1]
