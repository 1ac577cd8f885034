"""Demo score history: ninety days of a clinic getting better, ending at today's real score.

The past days are made up (the demo's other data has no history of its own): each
component climbs from about 60 % of today's points, in steps a month apart, as a clinic
does when it adopts the programme. Today's snapshot is a real measurement.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from clinicshield.accounts.models import Organisation

from .actions import do_record_scores
from .models import ScoreSnapshot

DAYS = 90


def progress(days_ago: int) -> float:
    """The share of today's points reached `days_ago` days ago: steps, then today's 100 %."""
    step = (DAYS - days_ago) // 30  # 0, 1, 2 (and 3 only for today)
    wobble = ((days_ago * 7) % 5 - 2) / 100  # a point or two of day-to-day noise
    return min(1.0, 0.6 + 0.13 * step + wobble)


def seed(org: Organisation, now: datetime) -> str:
    today = do_record_scores(org, now)
    current = ScoreSnapshot.objects.filter(organisation=org, day=today.day)
    rows = []
    for days_ago in range(DAYS - 1, 0, -1):
        share = progress(days_ago)
        # Calendar days back from the local today: the local day of "now minus n times 24
        # hours" repeats a day across a daylight-saving change (late evening in winter).
        day = today.day - timedelta(days=days_ago)
        for snapshot in current:
            points = {k: round(v * share, 1) for k, v in snapshot.points.items()}
            rows.append(
                ScoreSnapshot(
                    organisation=org,
                    site_id=snapshot.site_id,
                    day=day,
                    total=round(sum(points.values())),
                    points=points,
                    measured_at=now - timedelta(days=days_ago),
                )
            )
    ScoreSnapshot.objects.bulk_create(rows, batch_size=500)
    return f"score {today.total} today, {DAYS} days of history"
