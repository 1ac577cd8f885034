"""The detectors by name, and one pass of all of them over an organisation's store."""

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ibis.expr.types as ir

from .baselines import AuthData, materialized, prepare_auth, release_materialized
from .context import DetectionContext
from .events import between, event_table
from .exfiltration import detect_exfiltration
from .failures import detect_brute_force, detect_password_spray, detect_spray_success
from .findings import Finding
from .process_rules import detect_process_rules
from .service_accounts import detect_service_account_interactive
from .travel import detect_impossible_travel
from .unusual_access import detect_new_values, detect_off_hours

Detector = Callable[[Any, Any, DetectionContext], list[Finding]]

# name -> (event kind it reads, function). Names are the alert kinds they produce
# ("process_rules" produces both "clickfix" and "sigma").
DETECTORS: dict[str, tuple[str, Detector]] = {
    "off_hours": ("auth", detect_off_hours),
    "new_country": ("auth", lambda con, t, ctx: detect_new_values(con, t, ctx, "new_country")),
    "new_asn": ("auth", lambda con, t, ctx: detect_new_values(con, t, ctx, "new_asn")),
    "new_device": ("auth", lambda con, t, ctx: detect_new_values(con, t, ctx, "new_device")),
    "impossible_travel": ("auth", detect_impossible_travel),
    "brute_force": ("auth", detect_brute_force),
    "password_spray": ("auth", detect_password_spray),
    "spray_success": ("auth", detect_spray_success),
    "service_account_interactive": ("auth", detect_service_account_interactive),
    "process_rules": ("process", detect_process_rules),
    "exfiltration": ("flow", detect_exfiltration),
}


def run_detectors(
    con: Any,
    data_dir: Path | str,
    org_slug: str,
    ctx: DetectionContext,
    only: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Finding]:
    """Run every detector (or those named in ``only``) over one organisation's events;
    ``progress`` is told each detector's name once it is done."""
    unknown = sorted(set(only or []) - set(DETECTORS))
    if unknown:
        raise ValueError(f"unknown detectors: {', '.join(unknown)}")
    tables: dict[str, ir.Table | AuthData] = {}
    views: list[str] = []  # what the pass created on a Spark session, to drop after it
    findings: list[Finding] = []
    try:
        for name, (kind, detector) in DETECTORS.items():
            if only and name not in only:
                continue
            if kind not in tables:
                events = event_table(con, data_dir, org_slug, kind)
                tables[kind] = _read(con, events, kind, ctx, views)
            findings.extend(detector(con, tables[kind], ctx))
            if progress:
                progress(name)
    finally:
        kept = [t for data in tables.values() for t in _tables_of(data)]
        release_materialized(con, kept, tuple(views))
    return findings


def _read(
    con: Any, events: ir.Table, kind: str, ctx: DetectionContext, views: list[str]
) -> ir.Table | AuthData:
    """What the detectors of one kind read, computed once per pass where it pays: sign-in
    history is grouped once for every sign-in detector, and the window's process events
    are read once for every batch of Sigma rules."""
    if kind == "auth":
        auth = prepare_auth(con, events, ctx, materialize=True)
        views += auth.views
        return auth
    if kind == "process":
        name = f"cs_process_{uuid.uuid4().hex[:12]}"
        if con.name == "pyspark":
            views.append(name)
        return materialized(con, name, between(events, ctx.start, ctx.end))
    return events


def _tables_of(data: ir.Table | AuthData) -> list[ir.Table]:
    return [data.daily, data.recent] if isinstance(data, AuthData) else [data]
