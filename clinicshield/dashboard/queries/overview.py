"""Everything the dashboard page shows, assembled from one measurement of the organisation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.paginator import Paginator
from django.utils.translation import gettext as _

from clinicshield.accounts.models import Organisation
from clinicshield.accounts.queries import silent_sensor_sites

from ..core.chart import trend_svg
from ..core.score import Score, rank_actions
from ..words import COMPONENT_LABELS, SEVERITY_LABELS, action_row, component_row
from .history import history, local_day, month_changes
from .measure import Measurement, Scores, compute_scores

SITES_PER_PAGE = 25
SILENT_SHOWN = 25  # sites whose sensor went silent, named on the page
# Actions a site can take on its own (the others are for the whole organisation).
SITE_ACTIONS = frozenset(
    {"train_staff", "chase_overdue", "close_port", "close_risky_ports", "run_scan",
     "encourage_reporting", "launch_campaign", "fix_silent_sources"}
)  # fmt: skip


def trend_points(org: Organisation, today: date, score: Score, days: int) -> list[tuple[date, int]]:
    """The kept daily history, ending with today's live score."""
    points = [(day, total) for day, total in history(org, today, days) if day != today]
    return [*points, (today, score.total)]


def trend_chart(points: list[tuple[date, int]]) -> str:
    return trend_svg(
        points if len(points) > 1 else [],
        title=_("Security score over the last 90 days"),
        empty_text=_("The history starts tomorrow: the score is kept once a day."),
    )


def counters(m: Measurement) -> dict[str, Any]:
    training = m.training["org"]
    alerts = m.monitoring["org"].get("open_by_severity", {})
    last = m.simulations["last_campaign"]
    return {
        "training_set_up": m.training["set_up"],
        "overdue_people": training["overdue_people"],
        "overdue_assignments": training["overdue_assignments"],
        "monitoring_set_up": m.monitoring["set_up"],
        "alerts": [(SEVERITY_LABELS.get(s, s), s, n) for s, n in alerts.items()],
        "exposure_set_up": m.exposure["set_up"],
        "risky_ports": len(m.exposure["org"]["risky_ports"]) if m.exposure["set_up"] else 0,
        "last_campaign": last,
        "days_since_drill": m.readiness.get("days_since_last_drill"),
    }


def site_rows(scores: Scores, org_slug: str, page_number: Any) -> dict[str, Any]:
    """Sites, lowest score first, one page at a time; each with its own best next action."""
    names = dict(scores.measurement.sites)
    ranked = sorted(scores.sites, key=lambda item: (item[1].total, names[item[0]]))
    page = Paginator(ranked, SITES_PER_PAGE).get_page(page_number)
    rows = []
    for site_id, score in page.object_list:
        actions = rank_actions(
            [a for c in score.components for a in c.actions if a.code in SITE_ACTIONS], limit=1
        )
        rows.append(
            {
                "id": site_id,
                "name": names[site_id],
                "total": score.total,
                "training": score.component("training").points,
                "exposure": score.component("exposure").points,
                "risky_ports": score.component("exposure").evidence.get("risky_ports", 0),
                "action": action_row(actions[0], org_slug) if actions else None,
            }
        )
    return {"page": page, "rows": rows}


def overview(org: Organisation, now: datetime, page_number: Any = None) -> dict[str, Any]:
    scores = compute_scores(org, now)
    silent = silent_sensor_sites(org, now)
    today = local_day(org, now)
    points = trend_points(org, today, scores.org, 90)
    changed = month_changes(org, scores, today)
    changed["components"] = [
        {"label": COMPONENT_LABELS[c.key], "before": c.before, "after": c.after, "delta": c.delta}
        for c in changed["components"]
    ]
    return {
        "score": scores.org,
        "components": [component_row(c) for c in scores.org.components],
        "actions": [action_row(a, org.slug) for a in scores.org.next_actions(5)],
        "trend_svg": trend_chart(points),
        "changes": changed,
        "counters": counters(scores.measurement),
        "sites": site_rows(scores, org.slug, page_number),
        "site_count": len(scores.sites),
        "silent_sensors": silent[:SILENT_SHOWN],
        "silent_sensor_count": len(silent),
        "measured_at": now,
        "today": today,
    }
