"""impossible_travel: two consecutive sign-ins of one person too far apart for the time between.

Geolocation of an IP address is approximate, so short hops (``travel_min_distance_km``)
never count; the speed limit (``travel_max_speed_kmh``) is that of an airliner.
"""

from datetime import timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from ._rows import fetch, text
from .baselines import AuthData, prepare_auth, successes
from .context import DetectionContext
from .findings import Finding

EARTH_RADIUS_KM = 6371.0
# Two sign-ins in the same minute still take some time; avoids dividing by zero.
MIN_HOURS = 1 / 60


def haversine_km(
    lat1: ir.FloatingValue, lon1: ir.FloatingValue, lat2: ir.FloatingValue, lon2: ir.FloatingValue
) -> ir.FloatingValue:
    dlat = (lat2 - lat1).radians()
    dlon = (lon2 - lon1).radians()
    a = (dlat / 2).sin() ** 2 + lat1.radians().cos() * lat2.radians().cos() * (dlon / 2).sin() ** 2
    return 2 * EARTH_RADIUS_KM * a.sqrt().clip(upper=1.0).asin()


def detect_impossible_travel(
    con: Any, auth: ir.Table | AuthData, ctx: DetectionContext
) -> list[Finding]:
    settings = ctx.settings
    lookback = timedelta(hours=settings.travel_lookback_hours)
    recent = prepare_auth(con, auth, ctx).recent
    located = successes(recent.filter(recent.ts >= ibis.literal(ctx.start - lookback)))
    located = located.filter(located.src_lat.notnull() & located.src_lon.notnull())
    # Only people seen in more than one place can have travelled: most never move, and
    # leaving them out before the ordered window keeps the pass fast.
    places = located.group_by("user").aggregate(
        moved=(located.src_lat.max() != located.src_lat.min())
        | (located.src_lon.max() != located.src_lon.min())
    )
    located = located.semi_join(places.filter(places.moved), "user")
    order = ibis.window(group_by="user", order_by=["ts", "record_ref"])
    paired = located.mutate(
        prev_ts=located.ts.lag().over(order),
        prev_epoch=located.epoch.lag().over(order),
        prev_lat=located.src_lat.lag().over(order),
        prev_lon=located.src_lon.lag().over(order),
        prev_country=located.src_country.lag().over(order),
        prev_city=located.src_city.lag().over(order),
        prev_ip=located.src_ip.lag().over(order),
    )
    paired = paired.filter(paired.prev_ts.notnull() & (paired.ts >= ibis.literal(ctx.start)))
    seconds = paired.epoch - paired.prev_epoch
    hours = (seconds / 3600.0).clip(lower=MIN_HOURS)
    measured = paired.mutate(
        distance_km=haversine_km(paired.prev_lat, paired.prev_lon, paired.src_lat, paired.src_lon),
        minutes=seconds / 60.0,
        hours=hours,
    ).mutate(speed_kmh=ibis._.distance_km / ibis._.hours)
    impossible = measured.filter(
        (measured.distance_km >= settings.travel_min_distance_km)
        & (measured.speed_kmh > settings.travel_max_speed_kmh)
    )
    rows = fetch(con, impossible.order_by(["ts", "user"]))
    findings: dict[tuple[str, int], Finding] = {}
    for row in rows:
        # One finding per person and day: the way out and the way back are the same incident.
        trip = (row["user"], row["day"])
        if trip in findings:
            findings[trip].count += 1
            findings[trip].last_seen = row["ts"]
            continue
        findings[trip] = _travel_finding(f"impossible_travel:{row['user']}", row)
    return list(findings.values())


def _travel_finding(key: str, row: dict[str, Any]) -> Finding:
    return Finding(
        kind="impossible_travel",
        severity="high",
        key=key,
        code="impossible_travel",
        params={
            "user": row["user"],
            "from_country": text(row["prev_country"]),
            "from_city": text(row["prev_city"]),
            "to_country": text(row["src_country"]),
            "to_city": text(row["src_city"]),
            "distance_km": round(row["distance_km"]),
            "minutes": round(row["minutes"]),
            "speed_kmh": round(row["speed_kmh"]),
        },
        first_seen=row["ts"],
        last_seen=row["ts"],
        user=row["user"],
        src_ip=text(row["src_ip"]),
        host=text(row["host"]),
        evidence={"record_refs": [text(row["record_ref"])], "previous_ip": text(row["prev_ip"])},
    )
