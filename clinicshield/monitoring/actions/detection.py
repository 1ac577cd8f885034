"""Running the detectors for an organisation and turning findings into alerts."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min

from clinicshield.accounts.actions import audit
from clinicshield.accounts.models import Organisation
from clinicshield.simulations.actions import do_attribute_clickfix_detection

from ..core import store, store_span
from ..core.detectors import Finding
from ..models import ACTIVE_STATUSES, Alert, DetectionRun, ServiceAccount
from ..queries.detection import detection_connection, detection_context, sigma_rules
from .alerts import do_raise_alerts

log = logging.getLogger(__name__)
# When the store is empty, the first pass looks back this far (later passes start where
# the previous one ended). A store that holds events is judged whole the first time.
FIRST_WINDOW = timedelta(days=1)
# Each pass also re-reads the last hour of the previous one, for events that reached the
# store late (forwarders batch). Alerts do not count them twice. Older events that arrive
# later (a daily export, a copied log) are found in the store and examined from their day.
LATE_EVENTS_GRACE = timedelta(hours=1)


@dataclass
class DetectionResult:
    window_start: datetime
    window_end: datetime
    findings: int = 0
    new_alerts: list[Alert] = field(default_factory=list)
    grown_alerts: int = 0
    suppressed: int = 0
    simulations: int = 0
    problems: list[str] = field(default_factory=list)
    # Stored events that no pass has judged and this window left out.
    unjudged: store_span.Outside = field(default_factory=store_span.Outside)


def attributed_to_simulation(org: Organisation, finding: Finding) -> bool:
    """A ClickFix command carrying a live simulation token belongs to that campaign."""
    if finding.kind != "clickfix" or not finding.command_line:
        return False
    return do_attribute_clickfix_detection(org, finding.command_line, finding.first_seen)


def do_run_detection(
    org: Organisation,
    now: datetime,
    *,
    start: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> DetectionResult:
    """Run every detector once over the events since the last pass (or ``start``) up to
    ``now``. A first pass judges everything the store holds, whatever its age; a later one
    also goes back to the day of any late file. However long the window, each day is judged
    against its own past (see ``core.detectors.baselines``).

    ``progress`` is told the name of each detector when it is done."""
    # Before the store is looked at, so nothing falls between; on the store's own clock,
    # since late files are found by the times the file system gives their folders.
    checked_at = store_span.store_clock(settings.DATA_DIR, org.slug)
    if start is None:
        last = DetectionRun.objects.filter(organisation=org).first()
        if last and last.window_end >= now:
            # Already done for this moment: a due job run twice changes nothing.
            return DetectionResult(window_start=last.window_start, window_end=last.window_end)
        start = _periodic_start(org, last, now)
    result = DetectionResult(window_start=start, window_end=now)
    if start >= now:
        return result
    result.problems = [f"{p.path}: {p.message}" for p in sigma_rules().problems]
    before = _alert_sightings(org)
    _run_pass(org, start, now, result, set(before), checked_at, progress)
    # Grown: an alert open before this run whose count or last sighting moved.
    after = _alert_sightings(org, set(before))
    result.grown_alerts = sum(1 for pk, seen in before.items() if after.get(pk, seen) != seen)
    result.unjudged = _unjudged_outside(org, start, now)
    return result


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def _periodic_start(org: Organisation, last: DetectionRun | None, now: datetime) -> datetime:
    """Where a regular pass starts: the previous pass's end (less the grace), or earlier
    when the store holds events no pass has judged: older than every pass so far, or
    reaching the store (a late file) since the previous pass looked."""
    earliest = store_span.earliest_day(settings.DATA_DIR, org.slug)
    if last is None:
        return _midnight(earliest) if earliest and _midnight(earliest) < now else now - FIRST_WINDOW
    start = last.window_end - LATE_EVENTS_GRACE
    checked = last.store_checked_at or last.created_at - timedelta(seconds=last.seconds)
    late_day = store.earliest_day_changed_since(settings.DATA_DIR, org.slug, checked)
    if late_day is not None:
        start = min(start, _midnight(late_day))
    judged_from = _judged_from(org)
    if earliest is not None and judged_from is not None and _midnight(earliest) < judged_from:
        start = min(start, _midnight(earliest))
    return start


def _judged_from(org: Organisation) -> datetime | None:
    """The start of the oldest window any pass has covered."""
    runs = DetectionRun.objects.filter(organisation=org)
    return runs.aggregate(first=Min("window_start"))["first"]


def _unjudged_outside(org: Organisation, start: datetime, end: datetime) -> store_span.Outside:
    """Stored events outside [start, end) that no pass has judged: before the oldest
    window ever covered, or after this one."""
    judged_from = min(start, _judged_from(org) or start)
    return store_span.events_outside(settings.DATA_DIR, org.slug, judged_from, end)


def _alert_sightings(
    org: Organisation, pks: set[int] | None = None
) -> dict[int, tuple[int, datetime]]:
    """{pk: (count, last seen)} of the open alerts (or of ``pks``): what tells one that grew."""
    which = {"status__in": ACTIVE_STATUSES} if pks is None else {"pk__in": pks}
    alerts = Alert.objects.filter(organisation=org, **which)
    return {pk: (count, last) for pk, count, last in alerts.values_list("pk", "count", "last_seen")}


def _run_pass(
    org: Organisation,
    start: datetime,
    end: datetime,
    result: DetectionResult,
    known: set[int],
    checked_at: datetime,
    progress: Callable[[str], None] | None,
) -> None:
    """One window: run the detectors, raise their alerts, record the pass."""
    began = time.perf_counter()
    ctx = detection_context(org, start, end)
    from ..core.detectors.registry import run_detectors  # with its pySigma and Ibis

    findings = run_detectors(
        detection_connection(), settings.DATA_DIR, org.slug, ctx, progress=progress
    )
    result.findings += len(findings)
    # One transaction for the pass: a years-long window raises hundreds of alerts, and a
    # commit each cost more than the detection itself. Emails and webhooks leave on commit.
    with transaction.atomic():
        _raise(org, sorted(findings, key=lambda f: (f.first_seen, f.kind, f.key)), result, known)
        DetectionRun.objects.create(
            organisation=org,
            window_start=start,
            window_end=end,
            findings=len(findings),
            new_alerts=len(result.new_alerts),
            seconds=time.perf_counter() - began,
            problems=result.problems[:50],
            store_checked_at=checked_at,
        )


def _raise(
    org: Organisation, findings: list[Finding], result: DetectionResult, known: set[int]
) -> None:
    """Raise (or grow) the findings' alerts, oldest first; new ones join ``known`` and the
    result. A ClickFix command of a live simulation is the campaign's, not an alert."""
    sightings = []
    for finding in findings:
        if attributed_to_simulation(org, finding):
            result.simulations += 1
            continue
        sightings.append(
            {
                "kind": finding.kind,
                "severity": finding.severity,
                "key": finding.key,
                "explanation": {"code": finding.code, "params": finding.params},
                "ts": finding.first_seen,
                "last_seen": finding.last_seen,
                "count": finding.count,
                "user": finding.user,
                "src_ip": finding.src_ip,
                "host": finding.host,
                "evidence": _evidence(finding),
            }
        )
    for alert in do_raise_alerts(org, sightings):
        if alert is None:
            result.suppressed += 1
        elif alert.pk not in known:
            result.new_alerts.append(alert)
            known.add(alert.pk)


def _evidence(finding: Finding) -> dict[str, Any]:
    evidence = dict(finding.evidence)
    if finding.command_line:
        evidence["command_line"] = finding.command_line
    return evidence


@transaction.atomic
def do_mark_service_account(
    org: Organisation, name: str, actor: Any, note: str = ""
) -> ServiceAccount:
    account, _created = ServiceAccount.objects.get_or_create(
        organisation=org, name=name.strip().lower(), defaults={"note": note}
    )
    audit(org, actor, "monitoring.service_account_marked", account.name)
    return account


@transaction.atomic
def do_unmark_service_account(org: Organisation, name: str, actor: Any) -> None:
    ServiceAccount.objects.filter(organisation=org, name=name.strip().lower()).delete()
    audit(org, actor, "monitoring.service_account_unmarked", name)
