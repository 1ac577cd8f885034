"""A person's access profile as plain data, for the page that shows it beside an alert."""

from datetime import timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from ._rows import fetch
from .baselines import by_person, successes, with_local_time, with_network
from .context import DetectionContext
from .events import between

PROFILE_COLUMNS = {
    "countries": "src_country",
    "asns": "network",
    "devices": "device",
    "hosts": "host",
}


def user_profile(con: Any, auth: ir.Table, user: str, ctx: DetectionContext) -> dict[str, Any]:
    """A person's access profile as plain data: hours heat map, countries, networks, devices.

    Covers the baseline and the window together (everything up to ``ctx.end``).
    """
    mine = with_network(successes(between(auth, ctx.baseline_start, ctx.end)))
    zone = ctx.user_timezones.get(user, ctx.timezone)
    mine = with_local_time(con, mine.filter(mine.user == user), zone, ctx.baseline_start, ctx.end)
    heat = [[0] * 24 for _ in range(7)]
    own = mine.filter(by_person(mine, ctx))
    hours = own.group_by("how").aggregate(signins=own.count())
    for row in fetch(con, hours):
        heat[row["how"] // 24][row["how"] % 24] = row["signins"]
    profile: dict[str, Any] = {"user": user, "hours": heat, "signins": sum(map(sum, heat))}
    for name, column in PROFILE_COLUMNS.items():
        rows = mine.filter(mine[column].notnull())
        counted = rows.group_by(value=rows[column]).aggregate(
            signins=rows.count(), last_seen=rows.ts.max()
        )
        ordered = counted.order_by([ibis.desc("signins"), "value"]).limit(20)
        profile[name] = fetch(con, ordered)
    first = fetch(con, mine.aggregate(first_seen=mine.ts.min()))[0]["first_seen"]
    learned_by = ctx.end - timedelta(days=ctx.settings.learning_days)
    profile["learned"] = bool(
        first and first <= learned_by and profile["signins"] >= ctx.settings.learning_min_signins
    )
    return profile
