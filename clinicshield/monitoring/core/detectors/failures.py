"""Failed sign-ins: brute_force, password_spray, and the spray_success that follows a spray.

Counting happens in sliding windows, per account or per source: each failure looks at the
span of the window's length that ends at it, and a span that meets the threshold makes every
failure inside it part of the burst, wherever it falls on the clock. Those spans are the
only ones to look at: a span holding enough failures (or accounts) anywhere can slide
forward to end at its last failure and still hold them all.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from ..explain import EPISODE_GAP, brute_force_params, tally_counts
from ._rows import fetch, left_join, text
from .baselines import AuthData, prepare_auth
from .context import DetectionContext
from .findings import Finding


def _failures(data: AuthData, ctx: DetectionContext, lookback: timedelta = timedelta()) -> ir.Table:
    window = data.recent.filter(data.recent.ts >= ibis.literal(ctx.start - lookback))
    return window.filter(window.outcome == "failure")


def _users_in_spans(failures: ir.Table, seconds: int, group: str) -> ir.Table:
    """Per ``group`` value and second of a failure: ``users``, the distinct accounts that
    failed in the span of ``seconds`` ending then.

    Spark has no COUNT(DISTINCT) over a window, and a self-join bounded by the window grows
    with the square of a busy source's failures. Instead each failure counts its account
    from its second until the account's next failure or until it leaves the span, whichever
    comes first: one account's stretches never overlap, so a running sum of +1 where they
    start and -1 where they end is the number of distinct accounts at any second. Sorts and
    window sums only, as cheap as counting the failures themselves."""
    seen = failures.select(group, "user", "epoch").distinct()
    per_account = ibis.window(group_by=[seen[group], seen.user], order_by=seen.epoch)
    leaves = seen.epoch + seconds
    seen = seen.mutate(
        _end=ibis.least(seen.epoch.lead().over(per_account).fill_null(leaves), leaves)
    )
    starts = seen.select(group, epoch=seen.epoch.cast("int64"), _delta=ibis.literal(1, "int64"))
    ends = seen.select(group, epoch=seen._end.cast("int64"), _delta=ibis.literal(-1, "int64"))
    deltas = ibis.union(starts, ends, distinct=False)
    per_second = deltas.group_by([group, "epoch"]).aggregate(_delta=deltas._delta.sum())
    so_far = ibis.window(group_by=per_second[group], order_by=per_second.epoch, rows=(None, 0))
    return per_second.select(group, "epoch", users=per_second._delta.sum().over(so_far))


def _hot_failures(
    failures: ir.Table,
    minutes: int,
    group: str,
    is_hot: Callable[[ir.Table], ir.BooleanValue],
    users: bool = False,
) -> ir.Table:
    """The failures inside a hot span of ``minutes`` (one whose ``failures``, and ``users``
    when asked for, pass ``is_hot``), each with ``peak``: the most failures of the hot spans
    holding it.

    Only these failures make the alert: a stray mistyped password hours before a burst is
    not part of it (it would otherwise set the alert's start, address and evidence)."""
    seconds = minutes * 60
    trailing = ibis.window(
        group_by=failures[group], order_by=failures.epoch, range=(-(seconds - 1), 0)
    )
    spans = failures.mutate(failures=failures.epoch.count().over(trailing))
    if users:
        spans = left_join(spans, _users_in_spans(failures, seconds, group), [group, "epoch"])
    spans = spans.mutate(_hot_end=ibis.ifelse(is_hot(spans), spans.failures, ibis.null()))
    # A failure is in a hot span when one ends at it or at a failure up to ``seconds`` later.
    ahead = ibis.window(group_by=spans[group], order_by=spans.epoch, range=(0, seconds - 1))
    spans = spans.mutate(peak=spans._hot_end.max().over(ahead))
    hot = spans.filter(spans.peak.notnull())
    return hot.drop("failures", "_hot_end", *(["users"] if users else []))


def _numbered_episodes(hot: ir.Table, group: str) -> ir.Table:
    """Adds ``episode``: bursts of one ``group`` value closer than ``EPISODE_GAP`` share a
    number."""
    by_time = ibis.window(group_by=hot[group], order_by=hot.epoch)
    gap = hot.epoch - hot.epoch.lag().over(by_time)
    starts = (gap.isnull() | (gap > int(EPISODE_GAP.total_seconds()))).cast("int64")
    hot = hot.mutate(_starts=starts)
    hot = hot.mutate(episode=hot._starts.cumsum().over(by_time))
    return hot.drop("_starts")


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
        failures, minutes, "user", lambda s: s.failures >= settings.brute_force_failures
    )
    findings = _brute_force_findings(con, _numbered_episodes(hot, "user"), "user", minutes)
    # A source failing on one account is already the account's alert above, and on many
    # accounts it is a password_spray: only the cases in between are reported by source.
    by_source = failures.filter(failures.src_ip.notnull())

    def few_accounts(span: ir.Table) -> ir.BooleanValue:
        return (
            (span.failures >= settings.brute_force_failures)
            & (span.users >= 2)
            & (span.users < settings.spray_min_users)
        )

    hot = _hot_failures(by_source, minutes, "src_ip", few_accounts, users=True)
    findings += _brute_force_findings(con, _numbered_episodes(hot, "src_ip"), "source", minutes)
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
    """One row per spraying source (its span, failures and accounts), and the failures of
    the sprays: only those in a span with enough accounts, as brute force counts its bursts
    (an address's mistyped password hours before it sprayed is not part of the spray)."""
    settings = ctx.settings
    failures = _failures(data, ctx, lookback).filter(
        ibis._.src_ip.notnull() & ibis._.user.notnull()
    )
    hot = _hot_failures(
        failures,
        settings.spray_window_minutes,
        "src_ip",
        lambda span: span.users >= settings.spray_min_users,
        users=True,
    )
    sprays = hot.group_by("src_ip").aggregate(
        first_seen=hot.ts.min(),
        last_seen=hot.ts.max(),
        count=hot.count(),
        distinct_users=hot.user.nunique(),
        host=hot.host.argmin(hot.ts),
        record_ref=hot.record_ref.argmin(hot.ts),
    )
    return sprays, hot


def detect_password_spray(
    con: Any, auth: ir.Table | AuthData, ctx: DetectionContext
) -> list[Finding]:
    sprays, hot = _sprays(prepare_auth(con, auth, ctx), ctx, timedelta())
    rows = fetch(con, sprays)
    if not rows:
        return []
    targets = _targeted_users(con, hot)
    tallies = _spray_tallies(con, hot)
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
                first_seen=row["first_seen"],
                last_seen=row["last_seen"],
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


def _spray_tallies(con: Any, hot: ir.Table) -> dict[str, list[list[Any]]]:
    """{source: [[epoch second, account, failures], ...]}: what lets a spray alert that grows
    add only the failures it has not counted yet (passes overlap)."""
    per_second = hot.group_by(["src_ip", "epoch", "user"]).aggregate(n=hot.count())
    tallies: dict[str, list[list[Any]]] = {}
    for row in fetch(con, per_second.order_by(["src_ip", "epoch", "user"])):
        tallies.setdefault(row["src_ip"], []).append(
            [int(row["epoch"]), text(row["user"]), int(row["n"])]
        )
    return tallies


def _targeted_users(con: Any, hot: ir.Table) -> dict[str, list[str]]:
    pairs = hot.select("src_ip", "user").distinct()
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
