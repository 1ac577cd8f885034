"""The monthly report (PDF) for a non-technical reader, and what it is built from."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import Any

from django.utils import timezone, translation
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from clinicshield.accounts.models import Organisation, Site
from clinicshield.lib.pdf import render_pdf

from ..core.chart import bars_svg, trend_svg
from ..core.document import score_from_document
from ..core.score import Score
from ..models import ScoreSnapshot
from ..queries import compute_scores, local_day, org_zone, snapshot_before
from ..words import action_sentence, component_row, summary_sentence


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _closing_score(
    org: Organisation, first: date, last: date, now: datetime
) -> tuple[Score, list[tuple[str, int]], date]:
    """The score at the end of the month: the month's last kept snapshot, or measured now
    when the month has none (it is the current month, or the history starts later)."""
    snapshot = (
        ScoreSnapshot.objects.filter(
            organisation=org, site__isnull=True, day__gte=first, day__lte=last
        )
        .exclude(document={})
        .order_by("-day")
        .first()
    )
    if snapshot is not None:
        names = dict(Site.objects.filter(organisation=org).values_list("id", "name"))
        sites = ScoreSnapshot.objects.filter(organisation=org, day=snapshot.day, site__isnull=False)
        site_totals = [(names.get(s.site_id or 0, "?"), s.total) for s in sites]
        return score_from_document(snapshot.document), site_totals, snapshot.day
    scores = compute_scores(org, now)
    names = dict(scores.measurement.sites)
    return scores.org, [(names[i], s.total) for i, s in scores.sites], local_day(org, now)


def report_context(
    org: Organisation, year: int, month: int, now: datetime, lang: str
) -> dict[str, Any]:
    first, last = month_bounds(year, month)
    score, site_totals, measured_on = _closing_score(org, first, last, now)
    start = snapshot_before(org, first)
    points = list(
        ScoreSnapshot.objects.filter(
            organisation=org, site__isnull=True, day__gte=first, day__lte=last
        )
        .order_by("day")
        .values_list("day", "total")
    )
    if not points or points[-1][0] != measured_on:
        points.append((measured_on, score.total))
    chart = trend_svg(
        points if len(points) > 1 else [],
        title=_("Security score during the month"),
        empty_text=_("Only one measurement this month."),
    )
    actions = [
        {"text": action_sentence(a), "points": a.points, "up_to": a.up_to}
        for a in score.next_actions(6)
    ]
    rows = [component_row(c) for c in score.components]
    worst_sites = sorted(site_totals, key=lambda item: (item[1], item[0]))[:20]
    return {
        "org": org,
        "month_start": first,
        "score": score,
        "summary": summary_sentence(score.total),
        "change": score.total - start.total if start and start.day < first else None,
        "start": start,
        "measured_on": measured_on,
        "components": rows,
        "bars": bars_svg(
            [(str(r["label"]), r["points"], r["weight"]) for r in rows],
            _("Points by area"),
            decimal_separator=str(get_format("DECIMAL_SEPARATOR")),
        ),
        "actions": actions,
        "chart": chart,
        "sites": worst_sites if len(site_totals) > 1 else [],
        "site_count": len(site_totals),
        "generated_at": now,
        "lang": lang,
    }


def monthly_report_pdf(org: Organisation, year: int, month: int, now: datetime, lang: str) -> bytes:
    with translation.override(lang), timezone.override(org_zone(org)):
        context = report_context(org, year, month, now, lang)
        return render_pdf("dashboard/report.html", context)
