"""Results maths: funnels, rates, resilience and trends.

Rates are fractions of the emails actually sent (a bounced or unsent recipient
is not a success). Resilience is reports divided by failures, the measure that
matters most: a clinic where many people report is protected even when someone
clicks, because IT hears about the attack in minutes. Returns None where a
ratio has no denominator, so the page can say "no data" instead of a false 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from .status import LADDERS, SENT, is_failure, reached


@dataclass(frozen=True)
class RecipientOutcome:
    person_key: str
    status: str
    sent_at: datetime | None = None
    reported_at: datetime | None = None
    site: str = ""
    department: str = ""


@dataclass(frozen=True)
class CampaignResults:
    kind: str
    targets: int
    funnel: dict[str, int]  # stage -> recipients who reached at least that stage
    reported: int
    failures: int
    click_rate: float | None
    submit_rate: float | None  # phishing: submitted; ClickFix: executed
    report_rate: float | None
    resilience: float | None
    median_seconds_to_report: float | None


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def compute_results(kind: str, outcomes: Sequence[RecipientOutcome]) -> CampaignResults:
    ladder = LADDERS[kind]
    funnel = {stage: sum(reached(o.status, stage, kind) for o in outcomes) for stage in ladder[1:]}
    sent = funnel[SENT]
    failures = sum(is_failure(o.status) for o in outcomes)
    reporters = [o for o in outcomes if o.reported_at is not None]
    delays = [
        (o.reported_at - o.sent_at).total_seconds()
        for o in reporters
        if o.reported_at is not None and o.sent_at is not None and o.reported_at >= o.sent_at
    ]
    deepest = ladder[-1]
    return CampaignResults(
        kind=kind,
        targets=len(outcomes),
        funnel=funnel,
        reported=len(reporters),
        failures=failures,
        click_rate=_ratio(funnel["clicked"], sent),
        submit_rate=_ratio(funnel[deepest], sent),
        report_rate=_ratio(len(reporters), sent),
        resilience=_ratio(len(reporters), failures),
        median_seconds_to_report=median(delays) if delays else None,
    )


def results_by(
    kind: str, outcomes: Sequence[RecipientOutcome], group: str
) -> dict[str, CampaignResults]:
    """Results per value of `group` ('site' or 'department'), keys sorted."""
    groups: dict[str, list[RecipientOutcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[getattr(outcome, group)].append(outcome)
    return {key: compute_results(kind, groups[key]) for key in sorted(groups)}


def repeat_offenders(
    campaigns: Iterable[Sequence[RecipientOutcome]], minimum: int = 2
) -> list[tuple[str, int]]:
    """People who failed in at least `minimum` campaigns, most failures first."""
    counts: Counter[str] = Counter()
    for outcomes in campaigns:
        counts.update({o.person_key for o in outcomes if is_failure(o.status)})
    return sorted(
        ((person, n) for person, n in counts.items() if n >= minimum),
        key=lambda item: (-item[1], item[0]),
    )


@dataclass(frozen=True)
class TrendPoint:
    label: str
    when: datetime
    click_rate: float | None
    report_rate: float | None
    resilience: float | None


def trend(points: Iterable[tuple[str, datetime, CampaignResults]]) -> list[TrendPoint]:
    """One point per campaign, oldest first."""
    return [
        TrendPoint(label, when, r.click_rate, r.report_rate, r.resilience)
        for label, when, r in sorted(points, key=lambda item: item[1])
    ]
