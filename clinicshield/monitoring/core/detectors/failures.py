"""Failed sign-ins: brute_force, password_spray, and the spray_success that follows a spray.

Counting happens in fixed time buckets on two grids offset by half a bucket, so a burst
that straddles a bucket boundary is still seen whole on one of the grids.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from ..explain import EPISODE_GAP, brute_force_params, tally_counts
from ._rows import fetch, left_join, only, text
from .baselines import AuthData, prepare_auth
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
        first_failure=failures.ts.min(),
        last_failure=failures.ts.max(),
        distinct_users=failures.user.nunique(),
        sources=failures.src_ip.nunique(),
        host=failures.host.argmin(failures.ts),
        record_ref=failures.record_ref.argmin(failures.ts),
        first_source=failures.src_ip.argmin(failures.ts),
        first_user=failures.user.argmin(failures.ts),
    )
    return per_group.join(totals, group)


def _hot_failures(
    failures: ir.Table,
    minutes: int,
    group: str,
    is_hot: Callable[[ir.Table], ir.BooleanValue],
) -> ir.Table:
    """The failures that fall in a hot bucket on either grid, each with ``peak`` (the most
    failures of the hot buckets holding it) and ``episode`` (bursts of one ``group`` value
    closer than ``EPISODE_GAP`` share a number).

    Only these failures make the alert: a stray mistyped password hours before a burst is
    not part of it (it would otherwise set the alert's start, address and evidence)."""
    size = minutes * 60
    keyed = failures.mutate(_b0=failures.epoch // size, _b1=(failures.epoch + size // 2) // size)
    for grid, column in ((0, "_b0"), (1, "_b1")):
        counts = keyed.group_by([group, column]).aggregate(
            failures=keyed.count(), users=keyed.user.nunique()
        )
        hot = counts.filter(is_hot(counts))
        hot = hot.select(group, column, **{f"_hot{grid}": hot.failures})
        keyed = left_join(keyed, hot, [group, column])
    hot = keyed.filter(keyed._hot0.notnull() | keyed._hot1.notnull())
    hot = hot.mutate(peak=ibis.greatest(hot._hot0.fill_null(0), hot._hot1.fill_null(0)))
    by_time = ibis.window(group_by=hot[group], order_by=hot.epoch)
    gap = hot.epoch - hot.epoch.lag().over(by_time)
    starts = (gap.isnull() | (gap > int(EPISODE_GAP.total_seconds()))).cast("int64")
    hot = hot.mutate(_starts=starts)
    hot = hot.mutate(episode=hot._starts.cumsum().over(by_time))
    return hot.drop("_b0", "_b1", "_hot0", "_hot1", "_starts")


def _episodes(hot: ir.Table, group: str, other: str) -> ir.Table:
    """One row per ``group`` value and episode: its span, size, peak and first event."""
    return hot.group_by([group, "episode"]).aggregate(
        first_seen=hot.ts.min(),
        last_seen=hot.ts.max(),
        count=hot.count(),
        peak_failures=hot.peak.max(),
        host=hot.host.argmin(hot.ts),
        record_ref=hot.record_ref.argmin(hot.ts),
        first_other=hot[other].argmin(hot.ts),
    )


def _tallies(
    con: Any, hot: ir.Table, group: str, other: str
) -> dict[tuple[str, int], list[list[Any]]]:
    """{(group value, episode): [[epoch second, other value, failures], ...]}: what lets an
    alert that grows add only the failures it has not counted yet (passes overlap)."""
    per_second = hot.group_by([group, "episode", "epoch", other]).aggregate(n=hot.count())
    tallies: dict[tuple[str, int], list[list[Any]]] = {}
    for row in fetch(con, per_second.order_by([group, "episode", "epoch", other])):
        tallies.setdefault((row[group], row["episode"]), []).append(
            [int(row["epoch"]), text(row[other]), int(row["n"])]
        )
    return tallies


def detect_brute_force(con: Any, auth: ir.Table | AuthData, ctx: DetectionContext) -> list[Finding]:
    settings = ctx.settings
    minutes = settings.brute_force_window_minutes
    failures = _failures(prepare_auth(con, auth, ctx), ctx).filter(ibis._.user.notnull())
    hot = _hot_failures(
        failures, minutes, "user", lambda b: b.failures >= settings.brute_force_failures
    )
    findings = _brute_force_findings(con, hot, "user", minutes)
    # A source failing on one account is already the account's alert above, and on many
    # accounts it is a password_spray: only the cases in between are reported by source.
    by_source = failures.filter(failures.src_ip.notnull())

    def few_accounts(b: ir.Table) -> ir.BooleanValue:
        return (
            (b.failures >= settings.brute_force_failures)
            & (b.users >= 2)
            & (b.users < settings.spray_min_users)
        )

    hot = _hot_failures(by_source, minutes, "src_ip", few_accounts)
    findings += _brute_force_findings(con, hot, "source", minutes)
    # Oldest first, so that a later episode of the same key grows or follows an earlier one.
    return sorted(findings, key=lambda f: (f.first_seen, f.key))


def _brute_force_findings(con: Any, hot: ir.Table, target: str, minutes: int) -> list[Finding]:
    group, other = ("user", "src_ip") if target == "user" else ("src_ip", "user")
    tallies = _tallies(con, hot, group, other)
    findings = []
    for row in fetch(con, _episodes(hot, group, other)):
        tally = tallies.get((row[group], row["episode"]), [])
        findings.append(_brute_force_finding(target, row, minutes, tally))
    return findings


def _brute_force_finding(
    target: str, row: dict[str, Any], minutes: int, tally: list[list[Any]]
) -> Finding:
    subject = row["user"] if target == "user" else row["src_ip"]
    counts = tally_counts(tally)
    params = brute_force_params(
        target, subject, counts, failures=row["count"], peak=row["peak_failures"], minutes=minutes
    )
    return Finding(
        kind="brute_force",
        severity="medium",
        key=f"brute_force:{target}:{subject}",
        code=f"brute_force.{target}",
        params=params,
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        count=row["count"],
        user=subject if target == "user" else text(row["first_other"]),
        src_ip=params["src_ip"],
        host=text(row["host"]),
        evidence={"record_refs": [text(row["record_ref"])], "tally": tally},
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
    sources = [r["src_ip"] for r in rows]
    targets = _targeted_users(con, failures, sources)
    tallies = _spray_tallies(con, failures, sources)
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
                # The span of every failure counted (and tallied), so that a pass that
                # reads them again adds none of them.
                first_seen=row["first_failure"],
                last_seen=row["last_failure"],
                count=row["count"],
                src_ip=row["src_ip"],
                host=text(row["host"]),
                evidence={
                    "record_refs": [text(row["record_ref"])],
                    "users": targets.get(row["src_ip"], []),
                    "tally": tallies.get(row["src_ip"], []),
                },
            )
        )
    return findings


def _spray_tallies(con: Any, failures: ir.Table, sources: list[str]) -> dict[str, list[list[Any]]]:
    """{source: [[epoch second, account, failures], ...]}: what lets a spray alert that grows
    add only the failures it has not counted yet (passes overlap)."""
    if not sources:
        return {}
    mine = only(failures, "src_ip", sources)
    per_second = mine.group_by(["src_ip", "epoch", "user"]).aggregate(n=mine.count())
    tallies: dict[str, list[list[Any]]] = {}
    for row in fetch(con, per_second.order_by(["src_ip", "epoch", "user"])):
        tallies.setdefault(row["src_ip"], []).append(
            [int(row["epoch"]), text(row["user"]), int(row["n"])]
        )
    return tallies


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
