"""Failed sign-ins: brute_force, password_spray, and the spray_success that follows a spray.

Counting happens in fixed time buckets on two grids offset by half a bucket, so a burst
that straddles a bucket boundary is still seen whole on one of the grids.
"""

from datetime import timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from ..baselines import AuthData, prepare_auth
from ._rows import fetch, only, text
from .context import DetectionContext
from .findings import Finding


def _failures(data: AuthData, ctx: DetectionContext, lookback: timedelta = timedelta()) -> ir.Table:
    window = data.recent.filter(data.recent.ts >= ibis.literal(ctx.start - lookback))
    return window.filter(window.outcome == "failure")


def _bucketed(failures: ir.Table, minutes: int, group: list[str]) -> ir.Table:
    """Per group and bucket: failures, distinct users, first and last failure (both grids)."""
    size = minutes * 60
    grids = []
    for grid, shift in ((0, 0), (1, size // 2)):
        keyed = failures.mutate(bucket=(failures.epoch + shift) // size, grid=ibis.literal(grid))
        grids.append(
            keyed.group_by([*group, "grid", "bucket"]).aggregate(
                failures=keyed.count(),
                users=keyed.user.nunique(),
                first_seen=keyed.ts.min(),
                last_seen=keyed.ts.max(),
            )
        )
    return ibis.union(*grids, distinct=False)


def _summarise(hot: ir.Table, failures: ir.Table, group: str) -> ir.Table:
    per_group = hot.group_by(group).aggregate(
        first_seen=hot.first_seen.min(),
        last_seen=hot.last_seen.max(),
        peak_failures=hot.failures.max(),
        peak_users=hot.users.max(),
    )
    totals = failures.group_by(group).aggregate(
        count=failures.count(),
        distinct_users=failures.user.nunique(),
        sources=failures.src_ip.nunique(),
        host=failures.host.argmin(failures.ts),
        record_ref=failures.record_ref.argmin(failures.ts),
        first_source=failures.src_ip.argmin(failures.ts),
        first_user=failures.user.argmin(failures.ts),
    )
    return per_group.join(totals, group)


def detect_brute_force(con: Any, auth: ir.Table | AuthData, ctx: DetectionContext) -> list[Finding]:
    settings = ctx.settings
    failures = _failures(prepare_auth(con, auth, ctx), ctx).filter(ibis._.user.notnull())
    buckets = _bucketed(failures, settings.brute_force_window_minutes, ["user"])
    hot = buckets.filter(buckets.failures >= settings.brute_force_failures)
    findings = [
        _brute_force_finding("user", row, settings.brute_force_window_minutes)
        for row in fetch(con, _summarise(hot, failures, "user"))
    ]
    # A source failing on one account is already the account's alert above, and on many
    # accounts it is a password_spray: only the cases in between are reported by source.
    by_source = failures.filter(failures.src_ip.notnull())
    buckets = _bucketed(by_source, settings.brute_force_window_minutes, ["src_ip"])
    hot = buckets.filter(
        (buckets.failures >= settings.brute_force_failures)
        & (buckets.users >= 2)
        & (buckets.users < settings.spray_min_users)
    )
    rows = fetch(con, _summarise(hot, by_source, "src_ip"))
    findings += [
        _brute_force_finding("source", row, settings.brute_force_window_minutes) for row in rows
    ]
    return findings


def _brute_force_finding(target: str, row: dict[str, Any], minutes: int) -> Finding:
    subject = row["user"] if target == "user" else row["src_ip"]
    params: dict[str, Any] = {"failures": row["peak_failures"], "minutes": minutes}
    if target == "user":
        params.update(user=subject, sources=row["sources"])
    else:
        params.update(src_ip=subject, users=row["distinct_users"])
    return Finding(
        kind="brute_force",
        severity="medium",
        key=f"brute_force:{target}:{subject}",
        code=f"brute_force.{target}",
        params=params,
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        count=row["count"],
        user=subject if target == "user" else text(row["first_user"]),
        src_ip=subject if target == "source" else text(row["first_source"]),
        host=text(row["host"]),
        evidence={"record_refs": [text(row["record_ref"])]},
    )


def _sprays(
    data: AuthData, ctx: DetectionContext, lookback: timedelta
) -> tuple[ir.Table, ir.Table]:
    settings = ctx.settings
    failures = _failures(data, ctx, lookback).filter(
        ibis._.src_ip.notnull() & ibis._.user.notnull()
    )
    buckets = _bucketed(failures, settings.spray_window_minutes, ["src_ip"])
    hot = buckets.filter(buckets.users >= settings.spray_min_users)
    return _summarise(hot, failures, "src_ip"), failures


def detect_password_spray(
    con: Any, auth: ir.Table | AuthData, ctx: DetectionContext
) -> list[Finding]:
    sprays, failures = _sprays(prepare_auth(con, auth, ctx), ctx, timedelta())
    rows = fetch(con, sprays)
    targets = _targeted_users(con, failures, [r["src_ip"] for r in rows])
    findings = []
    for row in rows:
        findings.append(
            Finding(
                kind="password_spray",
                severity="high",
                key=f"password_spray:{row['src_ip']}",
                code="password_spray",
                params={
                    "src_ip": row["src_ip"],
                    "users": row["distinct_users"],
                    "failures": row["count"],
                    "minutes": ctx.settings.spray_window_minutes,
                },
                first_seen=row["first_seen"],
                last_seen=row["last_seen"],
                count=row["count"],
                src_ip=row["src_ip"],
                host=text(row["host"]),
                evidence={
                    "record_refs": [text(row["record_ref"])],
                    "users": targets.get(row["src_ip"], []),
                },
            )
        )
    return findings


def _targeted_users(con: Any, failures: ir.Table, sources: list[str]) -> dict[str, list[str]]:
    if not sources:
        return {}
    pairs = only(failures, "src_ip", sources).select("src_ip", "user").distinct()
    targeted: dict[str, list[str]] = {}
    for row in fetch(con, pairs.order_by(["src_ip", "user"])):
        if len(targeted.setdefault(row["src_ip"], [])) < 50:
            targeted[row["src_ip"]].append(row["user"])
    return targeted


def detect_spray_success(
    con: Any, auth: ir.Table | AuthData, ctx: DetectionContext
) -> list[Finding]:
    """A successful sign-in from a source that sprayed passwords shortly before: urgent."""
    follow = timedelta(hours=ctx.settings.spray_success_within_hours)
    data = prepare_auth(con, auth, ctx)
    sprays, _ = _sprays(data, ctx, follow)
    sprays = sprays.select(
        spray_ip="src_ip",
        spray_start="first_seen",
        spray_end="last_seen",
        sprayed_users="distinct_users",
    )
    window = data.recent.filter(data.recent.ts >= ibis.literal(ctx.start))
    successes = window.filter((window.outcome == "success") & window.src_ip.notnull())
    joined = successes.join(
        sprays,
        [
            successes.src_ip == sprays.spray_ip,
            successes.ts >= sprays.spray_start,
            successes.ts
            <= sprays.spray_end + ibis.interval(hours=ctx.settings.spray_success_within_hours),
        ],
    )
    grouped = joined.group_by(["src_ip", "user"]).aggregate(
        first_seen=joined.ts.min(),
        last_seen=joined.ts.max(),
        count=joined.count(),
        host=joined.host.argmin(joined.ts),
        record_ref=joined.record_ref.argmin(joined.ts),
        sprayed_users=joined.sprayed_users.max(),
    )
    findings = []
    for row in fetch(con, grouped):
        moment = row["first_seen"]
        findings.append(
            Finding(
                kind="spray_success",
                severity="critical",
                key=f"spray_success:{row['src_ip']}:{row['user']}",
                code="spray_success",
                params={
                    "src_ip": row["src_ip"],
                    "user": text(row["user"]),
                    "sprayed_users": row["sprayed_users"],
                },
                first_seen=moment,
                last_seen=row["last_seen"],
                count=row["count"],
                user=text(row["user"]),
                src_ip=row["src_ip"],
                host=text(row["host"]),
                evidence={"record_refs": [text(row["record_ref"])]},
            )
        )
    return findings
