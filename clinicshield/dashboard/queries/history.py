"""The organisation's clock and its kept scores: today's date where the clinic is, the daily
history, the snapshot a month starts from, what moved since."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from clinicshield.accounts.models import Organisation

from ..core.history import Change, changes, month_start
from ..models import ScoreSnapshot
from .measure import Scores


def org_zone(org: Organisation) -> ZoneInfo:
    try:
        return ZoneInfo(org.timezone)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def local_day(org: Organisation, now: datetime) -> date:
    """The organisation's calendar day at `now` (a Madrid clinic's day starts at 23:00 UTC)."""
    return now.astimezone(org_zone(org)).date()


def history(org: Organisation, until: date, days: int = 90) -> list[tuple[date, int]]:
    """(day, total) of the organisation's snapshots over the `days` up to `until`."""
    rows = ScoreSnapshot.objects.filter(
        organisation=org, site__isnull=True, day__gt=until - timedelta(days=days), day__lte=until
    ).values_list("day", "total")
    return list(rows.order_by("day"))


def snapshot_before(org: Organisation, day: date) -> ScoreSnapshot | None:
    """The organisation's last snapshot before `day`, or its first one on or after it."""
    org_rows = ScoreSnapshot.objects.filter(organisation=org, site__isnull=True)
    return (
        org_rows.filter(day__lt=day).order_by("-day").first()
        or org_rows.filter(day__gte=day).order_by("day").first()
    )


def month_changes(org: Organisation, scores: Scores, today: date) -> dict[str, Any]:
    """Components and sites whose score moved since the start of this month."""
    start = snapshot_before(org, month_start(today))
    if start is None:
        return {"since": None, "total": None, "components": [], "sites": []}
    now_points = {c.key: c.points for c in scores.org.components}
    site_rows = ScoreSnapshot.objects.filter(
        organisation=org, day=start.day, site__isnull=False
    ).values_list("site_id", "total")
    names = dict(scores.measurement.sites)
    before_sites = {names.get(site_id or 0, ""): float(total) for site_id, total in site_rows}
    after_sites = {names[site_id]: float(s.total) for site_id, s in scores.sites}
    site_changes: list[Change] = changes(
        before_sites, {k: v for k, v in after_sites.items() if k in before_sites}, threshold=1
    )
    return {
        "since": start.day,
        "total": scores.org.total - start.total,
        "components": changes(start.points, now_points),
        "sites": site_changes[:5],
    }
