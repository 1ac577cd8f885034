"""The slow check of exfiltration: weeks of steady sending to one outside destination.

Each day ``d`` a host sends a destination something is judged on the *recent frame* ending
that day, against what the host sent the destination before the frame (per day of its
history there, times the frame's length, times ``exfil_slow_factor``). The frame must add up
to ``exfil_slow_min_bytes`` over at least ``exfil_slow_min_active_days`` active days.

- A host with ``learning_days`` of flows before the frame: the frame is the last
  ``exfil_slow_days`` (d-20..d by default), compared with the ``exfil_baseline_days``
  before it.
- A host first seen more recently (a new store, a new machine, one back from a long
  silence): waiting for a full frame plus its learning would leave it unjudged for 35 days,
  and a month of logs would never show a leak. Once its first ``learning_days`` are over,
  its frame starts right after them and is compared with them: a leak that starts after a
  normal fortnight is found in the days that follow.

A transfer flagged on several days is one finding per run of flagged days (a day it sends
the destination without being flagged ends the run), with the figures of the run's last day,
under the key ``exfiltration:slow:<host>:<destination>`` so that an open alert grows.
"""

from typing import Any

import ibis
import ibis.expr.types as ir

from ._rows import fetch, left_join
from .context import DetectionContext
from .exfiltration import finding, host_days, in_window
from .findings import Finding
from .settings import DetectionSettings


def _young_hosts_judged(settings: DetectionSettings) -> bool:
    """Whether a host first seen recently gets a shortened frame (see the module's doc)."""
    return 0 < settings.learning_days <= settings.exfil_baseline_days


def _silence(settings: DetectionSettings) -> int:
    """Days without any outbound flow after which a host starts afresh. Just long enough
    that a host judged with a shortened frame sent nothing in the full look-back
    (``exfil_slow_days - 1 + exfil_baseline_days``) before its first day."""
    return max(
        1, settings.exfil_slow_days - 1 + settings.exfil_baseline_days - settings.learning_days
    )


def _reach(settings: DetectionSettings) -> int:
    """How many days before the window's first day the check reads: the full look-back,
    and far enough to see the silence before any host start it may judge from."""
    look_back = settings.exfil_slow_days - 1 + settings.exfil_baseline_days
    if not _young_hosts_judged(settings):
        return look_back
    earliest_start = settings.exfil_slow_days - 2 + settings.learning_days
    return max(look_back, earliest_start + _silence(settings))


def _host_starts(hosts: ir.Table, settings: DetectionSettings) -> ir.Table:
    """Each host day with ``host_start`` (the day the host started afresh, see ``_silence``)
    and ``known_days`` (days from its first flow before the full frame to the frame)."""
    frame = settings.exfil_slow_days
    by_day = ibis.window(group_by="host", order_by="day")
    so_far = ibis.window(group_by="host", order_by="day", rows=(None, 0))
    before_frame = ibis.window(
        group_by="host", order_by="day", range=(-(frame - 1 + settings.exfil_baseline_days), -frame)
    )
    hosts = hosts.mutate(
        previous_day=hosts.day.lag().over(by_day),
        first_before=hosts.day.min().over(before_frame),
    )
    starts_afresh = hosts.previous_day.isnull() | (
        hosts.day - hosts.previous_day > _silence(settings)
    )
    hosts = hosts.mutate(start_day=starts_afresh.ifelse(hosts.day, ibis.null("int64")))
    return hosts.select(
        "host",
        "day",
        host_start=hosts.start_day.max().over(so_far),
        known_days=hosts.day - (frame - 1) - hosts.first_before,
    )


def _frames(days: ir.Table, settings: DetectionSettings) -> ir.Table:
    """Each destination day with the totals of both frames: ``full_*`` over the last
    ``exfil_slow_days``, ``short_*`` since the end of the host's learning."""
    frame, baseline = settings.exfil_slow_days, settings.exfil_baseline_days
    keys = ["host", "destination"]
    full = ibis.window(group_by=keys, order_by="day", range=(-(frame - 1), 0))
    before = ibis.window(group_by=keys, order_by="day", range=(-(frame - 1 + baseline), -frame))
    since_start = ibis.window(group_by=[*keys, "host_start"], order_by="day", rows=(None, 0))
    learned = days.day >= days.host_start + settings.learning_days

    def after_learning(value: ir.Value, otherwise: Any = None) -> ir.Value:
        return learned.ifelse(
            value, otherwise if otherwise is not None else ibis.null(value.type())
        )

    return days.mutate(
        full_bytes=days.bytes.sum().over(full),
        full_active=days.day.count().over(full),
        full_count=days["count"].sum().over(full),
        full_first_seen=days.first_seen.min().over(full),
        full_first_day=days.day.min().over(full),
        sent_before=days.bytes.sum().over(before),
        short_bytes=after_learning(days.bytes, 0).sum().over(since_start),
        short_active=after_learning(ibis.literal(1), 0).sum().over(since_start),
        short_count=after_learning(days["count"], 0).sum().over(since_start),
        short_first_seen=after_learning(days.first_seen).min().over(since_start),
        short_first_day=after_learning(days.day).min().over(since_start),
        learned_bytes=learned.ifelse(0, days.bytes).sum().over(since_start),
    )


def _judged_frame(days: ir.Table, settings: DetectionSettings) -> ir.Table:
    """The frame each destination day is judged on, and ``flagged``."""
    frame, learning = settings.exfil_slow_days, settings.learning_days
    full = days.known_days >= max(1, learning)
    if learning == 0:
        full = ibis.literal(True)  # no learning: a host without history expects nothing
    full = full.fill_null(False)
    short_start = days.host_start + learning
    short = (
        ibis.literal(_young_hosts_judged(settings))
        & ~full
        & (short_start <= days.day)
        & (short_start > days.day - (frame - 1))
    )
    short_days = days.day - short_start + 1
    chosen = days.mutate(
        judged=full | short,
        frame_days=full.ifelse(frame, short_days),
        frame_bytes=full.ifelse(days.full_bytes, days.short_bytes),
        active_days=full.ifelse(days.full_active, days.short_active),
        frame_count=full.ifelse(days.full_count, days.short_count),
        frame_first_seen=full.ifelse(days.full_first_seen, days.short_first_seen),
        frame_first_day=full.ifelse(days.full_first_day, days.short_first_day),
        usual_per_day=full.ifelse(
            (days.sent_before.fill_null(0) / days.known_days).fill_null(0.0),
            days.learned_bytes / max(1, learning),
        ),
    )
    return chosen.mutate(
        flagged=chosen.judged
        & (chosen.frame_bytes >= settings.exfil_slow_min_bytes)
        & (chosen.active_days >= settings.exfil_slow_min_active_days)
        & (
            chosen.frame_bytes
            > chosen.usual_per_day * chosen.frame_days * settings.exfil_slow_factor
        )
    )


def _runs(days: ir.Table) -> ir.Table:
    """Consecutive flagged days of one host and destination as one row, with the figures of
    the run's last day; ``count`` is every flow from the first day's frame to the last day."""
    so_far = ibis.window(group_by=["host", "destination"], order_by="day", rows=(None, 0))
    days = days.mutate(run=(~days.flagged).cast("int64").sum().over(so_far))
    flagged = days.filter(days.flagged)
    return flagged.group_by("host", "destination", "run").aggregate(
        first_day=flagged.day.min(),
        frame_first_day=flagged.frame_first_day.argmin(flagged.day),
        first_seen=flagged.frame_first_seen.min(),
        last_seen=flagged.last_seen.max(),
        count=flagged.frame_count.argmin(flagged.day)
        + flagged["count"].sum()
        - flagged["count"].argmin(flagged.day),
        bytes=flagged.frame_bytes.argmax(flagged.day),
        active_days=flagged.active_days.argmax(flagged.day),
        frame_days=flagged.frame_days.argmax(flagged.day),
        usual_bytes=(flagged.usual_per_day * flagged.frame_days).argmax(flagged.day),
    )


def _possible_pairs(days: ir.Table, settings: DetectionSettings) -> ir.Table:
    """Hosts and destinations whose whole read span could make one frame's totals: the
    frames' window functions then sort only those (most pairs send a few MB a year)."""
    pairs = days.group_by("host", "destination").aggregate(
        sent=days.bytes.sum(), active_days=days.count()
    )
    return pairs.filter(
        (pairs.sent >= settings.exfil_slow_min_bytes)
        & (pairs.active_days >= settings.exfil_slow_min_active_days)
    ).select("host", "destination")


def reach(ctx: DetectionContext) -> int:
    """How many days before the window ``slow_transfers`` needs ``destination_days`` from."""
    return _reach(ctx.settings)


def slow_transfers(con: Any, per_destination: ir.Table, ctx: DetectionContext) -> list[Finding]:
    """``per_destination`` is ``destination_days`` from at least ``reach(ctx)`` days before
    the window."""
    settings = ctx.settings
    starts = _host_starts(host_days(per_destination), settings)
    candidates = per_destination.semi_join(
        _possible_pairs(per_destination, settings), ["host", "destination"]
    )
    days = _frames(candidates.inner_join(starts, ["host", "day"]), settings)
    runs = _runs(in_window(_judged_frame(days, settings), ctx))
    # The evidence is the first flow of the first day's frame.
    first_flows = per_destination.select(
        "host", "destination", frame_first_day="day", record_ref="record_ref"
    )
    runs = left_join(runs, first_flows, ["host", "destination", "frame_first_day"])
    findings = []
    for row in fetch(con, runs.order_by(["host", "destination", "first_day"])):
        params = {
            "host": row["host"],
            "destination": row["destination"],
            "bytes": row["bytes"],
            "days": row["frame_days"],
            "active_days": row["active_days"],
            "usual_bytes": round(row["usual_bytes"]),
        }
        findings.append(finding("slow", row, params))
    return findings
