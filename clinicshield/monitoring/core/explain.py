"""Explanations as plain data: a code and its parameters, never a sentence.

Core says *what* is unusual and gives the numbers; ``monitoring/words/explanations.py``
turns a code and its parameters into one sentence through gettext, in the reader's language.
Parameters are JSON-friendly (strings, numbers, lists) because they are stored on the alert.

Codes and their parameters:

- ``off_hours.habit``: user, time ("03:12"), weekday (0 Monday .. 6 Sunday), usual (see
  ``summarize_usual_hours``).
- ``off_hours.opening_hours``: user, time, weekday, opening ([{days, start, end}]).
- ``new_country``: user, country, city, src_ip, known (list of countries).
- ``new_asn``: user, network (the ASN's name, else AS<number>), asn (number or None),
  asn_org, src_ip, known (list of networks).
- ``new_device``: user, device, known (list of devices).
- ``impossible_travel``: user, from_country, from_city, to_country, to_city, distance_km,
  minutes, speed_kmh.
- ``brute_force.user``: user, failures (in all the alert's bursts), peak (the most within
  one window), minutes, sources (distinct addresses), src_ip (the address behind most of the
  failures, "" when none is). Alerts raised before peak existed have user, failures,
  minutes, sources only.
- ``brute_force.source``: src_ip, failures, peak, minutes, users (distinct accounts).
- ``password_spray``: src_ip, users, failures, minutes.
- ``spray_success``: src_ip, user, sprayed_users.
- ``service_account_interactive``: user, host, logon_type.
- ``clickfix`` / ``sigma``: rule_title, rule_id, host, user, command_line.
- ``exfiltration.daily``: host, destination, bytes, day, usual_bytes.
- ``exfiltration.slow``: host, destination, bytes, days, active_days, usual_bytes.
"""

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

WEEKDAYS = 7
HOURS = 24
# Bursts of failures on the same account (or from the same source) that are closer than
# this make one alert; a burst after a longer quiet spell opens a new one.
EPISODE_GAP = timedelta(days=1)
# Alert kinds whose findings are episodes as above (the alert layer applies the same gap).
EPISODIC_KINDS = frozenset({"brute_force"})
# How many distinct addresses (or accounts) an alert keeps counts for; past it the number
# of addresses in the sentence is a lower bound.
MAX_TALLY_LABELS = 1000


def clock(minutes: int) -> str:
    """Minutes since midnight as 'HH:MM'."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def summarize_usual_hours(
    hours: Sequence[Sequence[int]], min_count: int = 2
) -> list[dict[str, object]]:
    """A person's usual hours from a 7x24 heat map, merged into readable spans.

    Returns [{"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "15:00"}, ...]: each day's
    earliest to latest hour with at least ``min_count`` sign-ins; days sharing a span are
    merged so the sentence can say "weekdays".
    """
    spans: dict[tuple[int, int], list[int]] = {}
    for day in range(WEEKDAYS):
        busy = [hour for hour in range(HOURS) if hours[day][hour] >= min_count]
        if busy:
            spans.setdefault((busy[0], busy[-1] + 1), []).append(day)
    ordered = sorted(spans.items(), key=lambda item: (item[1][0], item[0]))
    return [
        {"days": days, "start": clock(start * 60), "end": clock(end * 60)}
        for (start, end), days in ordered
    ]


def summarize_opening_hours(ranges: Sequence[tuple[int, int]]) -> list[dict[str, Any]]:
    """Opening hours as minute-of-week ranges, merged into the same shape as usual hours
    (several sites' overlapping hours become each day's widest)."""
    spans = [
        {
            "days": [begin // 1440],
            "start": clock(begin % 1440),
            "end": clock(end - begin // 1440 * 1440),
        }
        for begin, end in ranges
    ]
    return merge_spans(spans)


def _minutes(clock_text: str) -> int:
    """'08:30' -> 510."""
    hours, _sep, minutes = clock_text.partition(":")
    return int(hours) * 60 + int(minutes or 0)


def merge_spans(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Spans that overlap or touch on a weekday become one; weekdays with the same span are
    grouped again. Opening hours of several sites arrive side by side ("08:00–15:00" and
    "08:00–20:00" on weekdays), and the reader wants each day's hours once."""
    per_day: dict[int, list[tuple[int, int]]] = {}
    for item in items:
        start, end = _minutes(str(item["start"])), _minutes(str(item["end"]))
        for day in item["days"]:
            per_day.setdefault(int(day), []).append((start, end))
    groups: dict[tuple[int, int], list[int]] = {}
    for day, ranges in per_day.items():
        merged: list[tuple[int, int]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        for span in merged:
            groups.setdefault(span, []).append(day)
    ordered = sorted(groups.items(), key=lambda group: (min(group[1]), group[0]))
    return [
        {"days": sorted(days), "start": clock(start), "end": clock(end)}
        for (start, end), days in ordered
    ]


def day_group(days: Sequence[int]) -> str:
    """Names a set of weekdays by pattern so translators see whole phrases.

    'weekdays', 'weekends', 'every_day', or 'list' (the renderer then names each day).
    """
    chosen = sorted(set(days))
    if chosen == [0, 1, 2, 3, 4]:
        return "weekdays"
    if chosen == [5, 6]:
        return "weekends"
    if chosen == list(range(7)):
        return "every_day"
    return "list"


def human_bytes(count: float) -> str:
    """1536 -> '1.5 KiB': units are symbols, the same in every language."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def tally_counts(tally: Iterable[Sequence[Any]]) -> dict[str, int]:
    """[[epoch second, label, failures], ...] -> {label: failures} ("" = no address)."""
    counts: dict[str, int] = {}
    for _second, label, failures in tally:
        counts[str(label)] = counts.get(str(label), 0) + int(failures)
    return counts


def merge_counts(counts: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    """Both tallies added up, keeping at most MAX_TALLY_LABELS labels (the biggest)."""
    merged = dict(counts)
    for label, failures in more.items():
        merged[label] = merged.get(label, 0) + failures
    if len(merged) > MAX_TALLY_LABELS:
        biggest = sorted(merged.items(), key=lambda item: (-item[1], item[0]))
        merged = dict(biggest[:MAX_TALLY_LABELS])
    return merged


def main_label(counts: dict[str, int]) -> str:
    """The label behind more than half of the failures, or "" when none is."""
    named = [(-failures, label) for label, failures in counts.items() if label]
    if not named:
        return ""
    minus_top, label = min(named)  # ties go to the first label in order
    return label if -minus_top * 2 > sum(counts.values()) else ""


def brute_force_params(
    target: str,
    subject: str,
    counts: dict[str, int],
    *,
    failures: int,
    peak: int,
    minutes: int,
) -> dict[str, Any]:
    """The parameters of ``brute_force.user`` (counts by address) or ``brute_force.source``
    (counts by account)."""
    distinct = sum(1 for label in counts if label)
    params: dict[str, Any] = {"failures": failures, "peak": peak, "minutes": minutes}
    if target == "user":
        params.update(user=subject, sources=distinct, src_ip=main_label(counts))
    else:
        params.update(src_ip=subject, users=distinct)
    return params


def grown_params(
    code: str, old: dict[str, Any], new: dict[str, Any], counts: dict[str, int], failures: int
) -> dict[str, Any] | None:
    """The parameters of an alert that grew, so its sentence speaks of all of it; None for
    codes whose sentence does not depend on how much the alert holds."""
    if code == "password_spray":  # the tally's labels are the accounts tried
        users = max(int(old.get("users", 0)), int(new.get("users", 0)), len(counts))
        return {**old, "failures": failures, "users": users}
    if code not in ("brute_force.user", "brute_force.source") or "peak" not in new:
        return None
    target = code.split(".", 1)[1]
    subject = old.get("user" if target == "user" else "src_ip", "")
    return brute_force_params(
        target,
        str(subject),
        counts,
        failures=failures,
        peak=max(int(old.get("peak", 0)), int(new["peak"])),
        minutes=int(new["minutes"]),
    )
