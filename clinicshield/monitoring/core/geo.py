"""Offline IP enrichment: country, ASN and (where the data has it) city and coordinates.

Sources, first answer wins per field:

1. the organisation's own ranges and private/reserved space -> country ``internal``;
2. MaxMind-format ``.mmdb`` files the operator configured (GeoLite2/GeoIP2 City, Country
   or ASN, read with ``maxminddb``);
3. the data shipped inside the ``geoip2fast`` package (GeoLite2 country + ASN name, IPv4
   and IPv6, no city), with the country's centroid from ``countryinfo`` as coordinates
   so that impossible-travel checks still have a position, coarse as it is.

Nothing here opens a network connection. Lookups are per distinct address: a batch of a
million sign-ins usually has a few thousand, and the result joins back in DuckDB.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

INTERNAL = "internal"

GEO_SCHEMA = pa.schema(
    [
        pa.field("ip", pa.string()),
        pa.field("country", pa.string()),
        pa.field("asn", pa.int64()),
        pa.field("asn_org", pa.string()),
        pa.field("city", pa.string()),
        pa.field("lat", pa.float64()),
        pa.field("lon", pa.float64()),
    ]
)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass
class Place:
    country: str | None = None
    asn: int | None = None
    asn_org: str | None = None
    city: str | None = None
    lat: float | None = None
    lon: float | None = None

    def fill_from(self, other: Place) -> None:
        for name in ("country", "asn", "asn_org", "city", "lat", "lon"):
            if getattr(self, name) is None:
                setattr(self, name, getattr(other, name))


@functools.cache
def _shipped_database() -> Any:
    from geoip2fast import GeoIP2Fast

    return GeoIP2Fast(geoip2fast_data_file="geoip2fast-asn-ipv6.dat.gz")


@functools.cache
def _country_centroid(iso2: str) -> tuple[float, float] | None:
    from countryinfo import CountryInfo

    try:
        latlng = CountryInfo(iso2).info().get("latlng")
    except (ValueError, KeyError):
        return None
    if not latlng or len(latlng) != 2:
        return None
    return float(latlng[0]), float(latlng[1])


def parse_networks(texts: Iterable[str]) -> list[Network]:
    """The organisation's registered ranges; raises ValueError naming a bad one."""
    networks = []
    for text in texts:
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError as error:
            raise ValueError(f"not an IP network: {text!r}") from error
    return networks


class GeoLookup:
    """Answers :class:`Place` for addresses; build once per ingestion run."""

    def __init__(
        self, mmdb_paths: Sequence[str | Path] = (), internal: Sequence[Network] = ()
    ) -> None:
        import maxminddb

        self.internal = list(internal)
        self.readers = [maxminddb.open_database(str(p)) for p in mmdb_paths]
        self._seen: dict[str, Place | None] = {}

    def close(self) -> None:
        for reader in self.readers:
            reader.close()

    def is_internal(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        if any(address in net for net in self.internal if net.version == address.version):
            return True
        return not address.is_global

    def place(self, ip: str) -> Place | None:
        if ip not in self._seen:
            if len(self._seen) > 200_000:  # a scan of the whole Internet: start afresh
                self._seen.clear()
            self._seen[ip] = self._look_up(ip)
        return self._seen[ip]

    def _look_up(self, ip: str) -> Place | None:
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return None
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if self.is_internal(address):
            return Place(country=INTERNAL)
        place = Place()
        for reader in self.readers:
            place.fill_from(_from_mmdb(reader.get(str(address))))
        place.fill_from(_from_shipped(str(address)))
        if place.lat is None and place.country:
            centroid = _country_centroid(place.country)
            if centroid:
                place.lat, place.lon = centroid
        return place

    def table(self, ips: Iterable[str]) -> pa.Table:
        """One row per distinct address, in :data:`GEO_SCHEMA`."""
        rows: dict[str, list[Any]] = {name: [] for name in GEO_SCHEMA.names}
        for ip in set(ips):
            if ip is None:
                continue
            place = self.place(ip) or Place()
            rows["ip"].append(ip)
            for name in ("country", "asn", "asn_org", "city", "lat", "lon"):
                rows[name].append(getattr(place, name))
        return pa.table(rows, schema=GEO_SCHEMA)


def _from_mmdb(record: Any) -> Place:
    if not isinstance(record, dict):
        return Place()
    country = (record.get("country") or record.get("registered_country") or {}).get("iso_code")
    city = ((record.get("city") or {}).get("names") or {}).get("en")
    location = record.get("location") or {}
    return Place(
        country=country,
        asn=record.get("autonomous_system_number"),
        asn_org=record.get("autonomous_system_organization"),
        city=city,
        lat=location.get("latitude"),
        lon=location.get("longitude"),
    )


def _from_shipped(ip: str) -> Place:
    found = _shipped_database().lookup(ip)
    code = found.country_code
    if not code or code.startswith("-") or len(code) != 2:
        return Place()
    return Place(country=code, asn_org=found.asn_name or None)
