"""Raising alerts (deduplicated, suppressible) and changing their status."""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinicshield.accounts.actions import audit
from clinicshield.accounts.models import Organisation
from clinicshield.lib.errors import UserError

from ..core.explain import EPISODE_GAP, EPISODIC_KINDS, grown_params, merge_counts, tally_counts
from ..models import ACTIVE_STATUSES, SEVERITY_RANK, Alert, Suppression
from .notices import notify_new_alert, notify_new_alerts

MAX_RECORD_REFS = 50


def _explanation_parts(explanation: Any) -> tuple[str, dict[str, Any]]:
    """A ready sentence (other apps) or {"code", "params"} (our detectors)."""
    if isinstance(explanation, dict):
        return str(explanation["code"]), dict(explanation.get("params", {}))
    return "text", {"text": str(explanation)}


def is_suppressed(org: Organisation, *, kind: str, key: str, user: str, src_ip: str) -> bool:
    candidates = Suppression.objects.filter(organisation=org, kind=kind)
    return covered_by(candidates, kind=kind, key=key, user=user, src_ip=src_ip)


def covered_by(
    suppressions: Iterable[Suppression], *, kind: str, key: str, user: str, src_ip: str
) -> bool:
    """Whether one of ``suppressions`` covers a sighting (empty fields match anything)."""
    for suppression in suppressions:
        if suppression.kind != kind:
            continue
        if suppression.key and suppression.key != key:
            continue
        if suppression.user and suppression.user != user:
            continue
        if suppression.src_ip and suppression.src_ip != src_ip:
            continue
        return True
    return False


def do_raise_alerts(org: Organisation, sightings: list[dict[str, Any]]) -> list[Alert | None]:
    """``do_raise_alert`` for each sighting (its keyword arguments), in order, in one
    transaction: the same result, without a round of queries per sighting. Once a
    sighting has an open alert, the later sightings of that kind and key grow it in memory
    and it is saved once (a pass over years of logs grows thousands of times). The new
    alerts are told of together once the transaction commits (``notify_new_alerts``)."""
    results: list[Alert | None] = []
    created: list[int] = []
    with transaction.atomic():
        suppressions = list(Suppression.objects.filter(organisation=org))
        held: dict[tuple[str, str], Alert] = {}
        changed: dict[int, set[str]] = {}
        for sighting in sightings:
            kind, key = sighting["kind"], sighting["key"]
            alert = held.get((kind, key))
            if alert is None:
                raised = do_raise_alert(org, **sighting, on_new=lambda a: created.append(a.pk))
                # An episodic kind's alert depends on the moment: those go one by one.
                growable = kind not in EPISODIC_KINDS
                if raised is not None and raised.status in ACTIVE_STATUSES and growable:
                    held[(kind, key)] = raised
                results.append(raised)
                continue
            who = {"user": sighting.get("user", ""), "src_ip": sighting.get("src_ip", "")}
            if covered_by(suppressions, kind=kind, key=key, **who):
                results.append(None)
                continue
            _, params = _explanation_parts(sighting["explanation"])
            fields = _grow(alert, *_growth(sighting), params, save=False)
            changed.setdefault(alert.pk, set()).update(fields)
            results.append(alert)
        for alert in held.values():
            if changed.get(alert.pk):
                alert.save(update_fields=sorted(changed[alert.pk]))
        if created:
            transaction.on_commit(lambda: notify_new_alerts(created))
    return results


def _growth(sighting: dict[str, Any]) -> tuple[str, datetime, datetime, int, Any]:
    ts = sighting["ts"]
    last_seen = sighting.get("last_seen") or ts
    return (sighting["severity"], ts, last_seen, sighting.get("count", 1), sighting.get("evidence"))


def do_raise_alert(
    org: Organisation,
    *,
    kind: str,
    severity: str,
    key: str,
    explanation: Any,
    ts: datetime,
    user: str = "",
    src_ip: str = "",
    host: str = "",
    evidence: dict[str, Any] | None = None,
    last_seen: datetime | None = None,
    count: int = 1,
    on_new: Callable[[Alert], None] | None = None,
) -> Alert | None:
    """Raise an alert, or grow the open one with the same (kind, key).

    ``explanation`` is a sentence or {"code": ..., "params": ...}. Returns None when a false
    positive suppression covers it. New alerts notify owners and IT by email and webhook
    once the transaction commits, or are handed to ``on_new`` instead (``do_raise_alerts``
    tells of a pass's new alerts together).
    Kinds in ``EPISODIC_KINDS`` grow only across quiet spells shorter than ``EPISODE_GAP``;
    their evidence may carry a ``tally`` ([[epoch second, address or account, failures]]) so
    that a growing alert adds only the failures it has not counted yet.
    """
    if severity not in SEVERITY_RANK:
        raise ValueError(f"unknown severity {severity!r} for alert {kind}")
    last_seen = last_seen or ts
    if is_suppressed(org, kind=kind, key=key, user=user, src_ip=src_ip):
        return None
    code, params = _explanation_parts(explanation)
    with transaction.atomic():
        alert = _active_alert(org, kind, key, ts, last_seen)
        if alert is not None:
            _grow(alert, severity, ts, last_seen, count, evidence, params)
            return alert
        closed = (
            Alert.objects.filter(organisation=org, kind=kind, key=key)
            .exclude(status__in=ACTIVE_STATUSES)
            .order_by("-last_seen")
            .first()
        )
        if closed is not None and closed.last_seen >= last_seen:
            # Detection windows overlap to catch late events: what a closed alert already
            # covered is not news.
            return closed
        alert = Alert.objects.create(
            organisation=org,
            kind=kind,
            severity=severity,
            key=key[:300],
            code=code,
            params=params,
            user=user[:200],
            src_ip=src_ip[:64],
            host=host[:200],
            first_seen=ts,
            last_seen=last_seen,
            count=count,
            evidence=_stored_evidence(evidence),
        )
    if on_new is not None:
        on_new(alert)
    else:
        alert_id = alert.pk
        transaction.on_commit(lambda: notify_new_alert(alert_id))
    return alert


def _active_alert(
    org: Organisation, kind: str, key: str, ts: datetime, last_seen: datetime
) -> Alert | None:
    """The open or acknowledged alert this sighting belongs to (locked), if any."""
    candidates = (
        Alert.objects.select_for_update()
        .filter(organisation=org, kind=kind, key=key, status__in=ACTIVE_STATUSES)
        .order_by("-last_seen")
    )
    if kind not in EPISODIC_KINDS:
        return candidates.first()
    for alert in candidates:
        # Within a quiet spell of EPISODE_GAP of the alert, before or after it.
        if ts <= alert.last_seen + EPISODE_GAP and last_seen >= alert.first_seen - EPISODE_GAP:
            return alert
    return None


def _stored_evidence(evidence: dict[str, Any] | None) -> dict[str, Any]:
    """What an alert keeps of a finding's evidence: the tally becomes counts per label."""
    stored = dict(evidence or {})
    tally = stored.pop("tally", None)
    if tally is not None:
        stored["failure_counts"] = merge_counts({}, tally_counts(tally))
    return stored


def _grow(
    alert: Alert,
    severity: str,
    ts: datetime,
    last_seen: datetime,
    count: int,
    evidence: dict[str, Any] | None,
    params: dict[str, Any],
    save: bool = True,
) -> list[str]:
    """Grow ``alert`` with a sighting; returns the fields changed (saved unless told not)."""
    fields = ["first_seen", "last_seen", "count", "severity", "evidence"]
    tally = (evidence or {}).get("tally")
    if tally is not None and "failure_counts" in alert.evidence:
        # Only the seconds outside what the alert already covers are news.
        covered = (int(alert.first_seen.timestamp()), int(alert.last_seen.timestamp()))
        fresh = [row for row in tally if not covered[0] <= int(row[0]) <= covered[1]]
        if not fresh:
            return []
        added = tally_counts(fresh)
        counts = merge_counts(alert.evidence["failure_counts"], added)
        alert.count += sum(added.values())
        alert.evidence = {**alert.evidence, "failure_counts": counts}
        grown = grown_params(alert.code, alert.params, params, counts, alert.count)
        if grown is not None:
            alert.params = grown
            fields.append("params")
            if alert.code == "brute_force.user":
                alert.src_ip = str(grown["src_ip"])[:64]
                fields.append("src_ip")
    elif last_seen <= alert.last_seen:
        return []  # nothing newer than what the alert already holds (an overlapping window)
    else:
        alert.count += count
    alert.first_seen = min(alert.first_seen, ts)
    alert.last_seen = max(alert.last_seen, last_seen)
    if SEVERITY_RANK[severity] > SEVERITY_RANK[alert.severity]:
        alert.severity = severity
    refs = list(alert.evidence.get("record_refs", []))
    for ref in (evidence or {}).get("record_refs", []):
        if len(refs) < MAX_RECORD_REFS and ref not in refs:
            refs.append(ref)
    if refs:
        alert.evidence = {**alert.evidence, "record_refs": refs}
    if save:
        alert.save(update_fields=fields)
    return fields


def _set_status(alert: Alert, status: str, actor: Any) -> Alert:
    allowed = {
        "acknowledged": ("open",),
        "resolved": ("open", "acknowledged"),
        "false_positive": ("open", "acknowledged", "resolved"),
        "open": ("acknowledged", "resolved", "false_positive"),
    }
    if alert.status not in allowed[status]:
        raise UserError(
            "alert_status",
            _("This alert is already %(status)s.") % {"status": alert.get_status_display()},
            409,
        )
    alert.status = status
    alert.status_changed_at = timezone.now()
    alert.status_changed_by = audit_actor(actor)
    alert.save(update_fields=["status", "status_changed_at", "status_changed_by"])
    audit(alert.organisation, actor, f"monitoring.alert_{status}", f"alert {alert.pk}")
    return alert


def audit_actor(actor: Any) -> str:
    from clinicshield.accounts.actions.audit import actor_name

    return actor_name(actor)[:200]


@transaction.atomic
def do_acknowledge_alert(alert: Alert, actor: Any) -> Alert:
    return _set_status(alert, "acknowledged", actor)


@transaction.atomic
def do_resolve_alert(alert: Alert, actor: Any) -> Alert:
    return _set_status(alert, "resolved", actor)


@transaction.atomic
def do_reopen_alert(alert: Alert, actor: Any) -> Alert:
    """Open again; reopening a false positive also lifts the suppression it created."""
    if alert.status == "false_positive":
        Suppression.objects.filter(source_alert=alert).delete()
    return _set_status(alert, "open", actor)


@transaction.atomic
def do_mark_false_positive(alert: Alert, actor: Any, reason: str = "") -> Suppression:
    """Close the alert and suppress the same pattern for the same person (or source)."""
    _set_status(alert, "false_positive", actor)
    return Suppression.objects.create(
        organisation=alert.organisation,
        kind=alert.kind,
        key=alert.key,
        user=alert.user,
        src_ip="" if alert.user else alert.src_ip,
        reason=reason,
        source_alert=alert,
        created_by=audit_actor(actor),
    )
