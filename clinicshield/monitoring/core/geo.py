"""Offline IP enrichment: country, ASN and (where the data has it) city and coordinates.

Sources, first answer wins per field:

1. the organisation's own ranges and private/reserved space -> country ``internal``;
2. MaxMind-format ``.mmdb`` files the operator configured (GeoLite2/GeoIP2 City, Country
   or ASN, read with ``maxminddb``);
3. the data shipped inside the ``geoip2fast`` package (GeoLite2 country + ASN name, IPv4
   and IPv6, no city), with the country's centroid from ``countryinfo`` as coordinates
   so that impossible-travel checks still have a position, coarse as it is.

Nothing here opens a network connection. Lookups are per distinct address and the result
joins back in DuckDB. A chain's batch can hold ~100k distinct addresses, so plain IPv4 and
IPv6 are answered for the whole batch at once from numpy ranges over the shipped data
(:mod:`.geo_ranges`); ``.mmdb`` files are then read address by address (maxminddb is C),
and odd spellings (scoped IPv6, garbage) go through :meth:`GeoLookup.place` one by one.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import geo_ranges
from .geo_config import Network, UnreadableMmdb, open_mmdb, parse_networks

__all__ = [
    "GEO_SCHEMA",
    "INTERNAL",
    "GeoLookup",
    "Network",
    "Place",
    "UnreadableMmdb",
    "open_mmdb",
    "parse_networks",
]

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
def _country_centroid(iso2: str) -> tuple[float, float] | None:
    from countryinfo import CountryInfo

    try:
        latlng = CountryInfo(iso2).info().get("latlng")
    except (ValueError, LookupError):  # countryinfo knows neither "EU" nor "XK" (Kosovo)
        return None
    if not latlng or len(latlng) != 2:
        return None
    return float(latlng[0]), float(latlng[1])


class GeoLookup:
    """Answers :class:`Place` for addresses; build once per ingestion run.

    ``cache_dir`` keeps the shipped data as numpy arrays between runs (None: the user's
    cache folder, ``~/.cache/clinicshield``). A ``.mmdb`` file that cannot be opened raises
    :class:`UnreadableMmdb`.
    """

    def __init__(
        self,
        mmdb_paths: Sequence[str | Path] = (),
        internal: Sequence[Network] = (),
        cache_dir: str | Path | None = None,
    ) -> None:
        self.internal = list(internal)
        self.readers: list[Any] = []
        try:
            for path in mmdb_paths:
                self.readers.append(open_mmdb(path))
        except UnreadableMmdb:
            self.close()
            raise
        self.cache_dir = Path(cache_dir) if cache_dir else geo_ranges.default_cache_dir()
        self._seen: dict[str, Place | None] = {}
        self._internal = {
            version: geo_ranges.merged_ranges(
                [
                    *geo_ranges.non_global(version),
                    *(
                        (int(net.network_address), int(net.broadcast_address))
                        for net in self.internal
                        if net.version == version
                    ),
                ],
                version,
            )
            for version in (4, 6)
        }

    @property
    def shipped(self) -> geo_ranges.Shipped:
        return geo_ranges.shipped(self.cache_dir, _country_centroid)

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
        return _completed(self._from_mmdb(str(address)), self._from_shipped(address))

    def _from_mmdb(self, ip: str) -> Place:
        place = Place()
        for reader in self.readers:
            try:
                record = reader.get(ip)
            except ValueError:  # an IPv6 address asked of an IPv4-only file
                record = None
            place.fill_from(_from_mmdb(record))
        return place

    def _from_shipped(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> Place:
        if getattr(address, "scope_id", None):  # "x%eth0": geoip2fast never knew these
            return Place()
        country, asn = self._shipped_indexes(
            np.array([address.packed.rjust(16, b"\0")], dtype="S16")
        )
        if country[0] < 0:
            return Place()
        return Place(
            country=self.shipped.countries[int(country[0])].as_py(),
            asn_org=self.shipped.asn_names[int(asn[0])].as_py() if asn[0] >= 0 else None,
        )

    def table(self, ips: Iterable[str] | pa.Array | pa.ChunkedArray) -> pa.Table:
        """One row per distinct address, in :data:`GEO_SCHEMA`."""
        distinct = _distinct(ips)
        is_ipv4, ints = geo_ranges.parse_ipv4(distinct)
        ipv4 = distinct.filter(is_ipv4)
        rest = distinct.filter(~is_ipv4)
        is_ipv6, packed = geo_ranges.parse_ipv6(rest)
        ipv6 = rest.filter(is_ipv6)
        tables = [self._table_ipv4(ipv4, ints), self._table_ipv6(ipv6, packed)]
        if self.readers:
            # .mmdb files are read address by address (maxminddb is C), as _look_up does
            mapped, _, low = geo_ranges.embedded_ipv4(packed)
            keys = [
                str(ipaddress.IPv4Address(int(n))) if m else ip
                for ip, m, n in zip(ipv6.to_pylist(), mapped, low, strict=True)
            ]
            tables = [
                self._with_mmdb(tables[0], ipv4.to_pylist()),
                self._with_mmdb(tables[1], keys),
            ]
        # odd spellings ("fe80::1%eth0", garbage) take the slow road
        tables.append(self._table_per_address(rest.filter(~is_ipv6).to_pylist()))
        return pa.concat_tables(tables)

    def _with_mmdb(self, table: pa.Table, keys: list[str]) -> pa.Table:
        """The .mmdb answers laid over the shipped ones, field by field as in :meth:`place`."""
        columns: dict[str, list[Any]] = {name: [] for name in GEO_SCHEMA.names[1:]}
        shipped = zip(table["country"].to_pylist(), table["asn_org"].to_pylist(), strict=True)
        for key, (country, asn_org) in zip(keys, shipped, strict=True):
            if country == INTERNAL:
                place = Place(country=INTERNAL)
            else:
                place = _completed(self._from_mmdb(key), Place(country=country, asn_org=asn_org))
            for name, values in columns.items():
                values.append(getattr(place, name))
        return pa.table({"ip": table["ip"], **columns}, schema=GEO_SCHEMA)

    def _table_per_address(self, ips: list[str]) -> pa.Table:
        rows: dict[str, list[Any]] = {name: [] for name in GEO_SCHEMA.names}
        for ip in ips:
            place = self.place(ip) or Place()
            rows["ip"].append(ip)
            for name in ("country", "asn", "asn_org", "city", "lat", "lon"):
                rows[name].append(getattr(place, name))
        return pa.table(rows, schema=GEO_SCHEMA)

    def _table_ipv4(self, ips: pa.Array, ints: np.ndarray) -> pa.Table:
        """What :meth:`place` answers for dotted-quad IPv4, before any .mmdb file."""
        internal = geo_ranges.in_ranges(ints, *self._internal[4])
        country, asn = self.shipped.ipv4.look_up(ints)
        return self._rows(ips, internal, country, asn)

    def _table_ipv6(self, ips: pa.Array, packed: np.ndarray) -> pa.Table:
        """The same for IPv6; an IPv4-mapped address is judged as its IPv4 address."""
        mapped, _, ints = geo_ranges.embedded_ipv4(packed)
        internal = geo_ranges.in_ranges(packed, *self._internal[6])
        internal[mapped] = geo_ranges.in_ranges(ints[mapped], *self._internal[4])
        return self._rows(ips, internal, *self._shipped_indexes(packed))

    def _shipped_indexes(self, packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Country and ASN-name indexes of 16-byte addresses (IPv4 ones right-aligned).

        As in geoip2fast, IPv4-mapped addresses and anything below 2**32 (IPv4 itself,
        "::a.b.c.d") are found among the IPv4 networks.
        """
        mapped, below, ints = geo_ranges.embedded_ipv4(packed)
        as_ipv4 = mapped | below
        country = np.full(len(packed), -1, dtype=np.int32)
        asn = np.full(len(packed), -1, dtype=np.int32)
        for family, rows, keys in (
            (self.shipped.ipv4, as_ipv4, ints),
            (self.shipped.ipv6, ~as_ipv4, packed),
        ):
            if rows.any():
                country[rows], asn[rows] = family.look_up(keys[rows])
        return country, asn

    def _rows(
        self, ips: pa.Array, internal: np.ndarray, country: np.ndarray, asn: np.ndarray
    ) -> pa.Table:
        shipped = self.shipped
        country[internal] = -1
        asn[internal] = -1
        found = country >= 0
        safe = np.maximum(country, 0)
        lat = np.where(found, shipped.lat[safe], np.nan)
        lon = np.where(found, shipped.lon[safe], np.nan)
        countries = shipped.countries.take(pa.array(country, mask=~found))
        countries = pc.if_else(pa.array(internal), pa.scalar(INTERNAL), countries)
        return pa.table(
            [
                ips,
                countries,
                pa.nulls(len(ips), pa.int64()),
                shipped.asn_names.take(pa.array(asn, mask=asn < 0)),
                pa.nulls(len(ips), pa.string()),
                pa.array(lat, mask=np.isnan(lat)),  # NaN: no centroid
                pa.array(lon, mask=np.isnan(lon)),
            ],
            schema=GEO_SCHEMA,
        )


def _distinct(ips: Iterable[str] | pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(ips, pa.ChunkedArray | pa.Array):
        unique = pc.unique(ips.cast(pa.string()))
        if isinstance(unique, pa.ChunkedArray):
            unique = unique.combine_chunks()
        return pc.drop_null(unique)
    distinct = set(ips)
    distinct.discard(None)  # type: ignore[arg-type,unused-ignore]
    return pa.array(list(distinct), pa.string())


def _completed(place: Place, shipped: Place) -> Place:
    """What the .mmdb files lack comes from the shipped data, coordinates from the country."""
    place.fill_from(shipped)
    if place.lat is None and place.country:
        centroid = _country_centroid(place.country)
        if centroid:
            place.lat, place.lon = centroid
    return place


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
