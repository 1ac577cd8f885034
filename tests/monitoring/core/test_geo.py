"""Offline IP enrichment: internal ranges, shipped data, and a user .mmdb first."""

import functools
import ipaddress
import random
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from countryinfo import CountryInfo
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from clinicshield.monitoring.core import geo_ranges
from clinicshield.monitoring.core.geo import (
    GEO_SCHEMA,
    GeoLookup,
    Network,
    Place,
    parse_networks,
)


def test_private_and_registered_ranges_are_internal() -> None:
    geo = GeoLookup(internal=parse_networks(["198.51.100.0/24"]))
    assert geo.place("192.168.1.20").country == "internal"
    assert geo.place("fe80::1").country == "internal"
    assert geo.place("198.51.100.7").country == "internal"  # the clinic's own public range
    assert geo.place("not an address") is None


def test_public_addresses_get_country_asn_and_a_coarse_position_offline() -> None:
    place = GeoLookup().place("83.44.1.2")
    assert place is not None
    assert place.country == "ES" and place.asn_org and "Telefonica" in place.asn_org
    assert place.lat is not None and 35 < place.lat < 45  # Spain's centroid, no city data


def test_a_user_mmdb_takes_precedence(tmp_path: Path) -> None:
    writer = MMDBWriter(ip_version=4, database_type="GeoIP2-City")
    writer.insert_network(
        IPSet(["83.44.0.0/16"]),
        {
            "country": {"iso_code": "PT"},
            "city": {"names": {"en": "Porto"}},
            "location": {"latitude": 41.15, "longitude": -8.61},
            "autonomous_system_number": 64500,
        },
    )
    path = tmp_path / "city.mmdb"
    writer.to_db_file(str(path))
    geo = GeoLookup(mmdb_paths=[path])
    place = geo.place("83.44.1.2")
    assert place is not None
    assert (place.country, place.city, place.lat, place.asn) == ("PT", "Porto", 41.15, 64500)
    assert place.asn_org and "Telefonica" in place.asn_org  # what the mmdb lacks is filled
    other = geo.place("8.8.8.8")
    assert other is not None and other.country == "US" and other.city is None
    geo.close()


# The batch path (numpy ranges over geoip2fast's data) must answer what the address-by-address
# path answers. The reference below is written from the libraries directly, as the module
# used to be, so that it does not share code with what it checks.


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("geo-cache")


@functools.cache
def _geoip2fast() -> Any:
    from geoip2fast import GeoIP2Fast

    return GeoIP2Fast(geoip2fast_data_file="geoip2fast-asn-ipv6.dat.gz")


def _reference(ip: str, internal: list[Network]) -> dict[str, Any]:
    empty = dict.fromkeys(["country", "asn", "asn_org", "city", "lat", "lon"])
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return empty
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    mine = any(address in net for net in internal if net.version == address.version)
    if mine or not address.is_global:
        return {**empty, "country": "internal"}
    found = _geoip2fast().lookup(str(address))
    code = found.country_code
    if not code or code.startswith("-") or len(code) != 2:
        return empty
    # geoip2fast 1.2.2 bounds IPv4 ASN networks with IPv6 sizes in its IPv6 file, so it
    # names the previous network's owner for addresses in a gap; we count those as unknown.
    in_asn = found.asn_cidr and _inside(address, found.asn_cidr)
    lat = lon = None
    try:
        latlng = CountryInfo(code).info().get("latlng")
    except (ValueError, LookupError):
        latlng = None
    if latlng and len(latlng) == 2:
        lat, lon = float(latlng[0]), float(latlng[1])
    asn_org = (found.asn_name or None) if in_asn else None
    return {**empty, "country": code, "asn_org": asn_org, "lat": lat, "lon": lon}


def _inside(address: ipaddress.IPv4Address | ipaddress.IPv6Address, cidr: str) -> bool:
    # by number: geoip2fast answers "::a.b.c.d" with an IPv4 network
    net = ipaddress.ip_network(cidr)
    return int(net.network_address) <= int(address) <= int(net.broadcast_address)


ODD_SPELLINGS = [
    "",
    " ",
    "1.2.3",
    "1.2.3.4.5",
    "01.2.3.4",
    "1.2.3.256",
    "1.2.3.4 ",
    " 1.2.3.4",
    "1.2.3.4\n",
    "1.2.3.4/24",
    "١.2.3.4",
    "0x1.2.3.4",
    "999.1.1.1",
    "not an address",
    "83.44.1.2%eth0",
    "1::2::3",
    "12345::",
    "1:2:3:4:5:6:7:8:9",
    ":1::",
    "::ffff:1.2.3.04",
    "::ffff:1.2.3",
    "2001:4860::8888%eth0",
    "fe80::1%eth0",
    "2001:4860::8888/64",
    "g::1",
]
IPV6 = [
    "2001:4860:4860::8888",
    "2a00:1450:4001:80b::200e",
    "2a02:9000::1",
    "fe80::1",
    "::1",
    "fd00::5",
    "::ffff:83.44.1.2",
    "::ffff:10.0.0.1",
    "::ffff:192.0.2.1",
    "::ffff:5.6.7.8",
    "::ffff:0:0",
    "::",
    "::83.44.1.2",
    "::8.8.8.8",
    "::1:0:0:0",
    "2001:DB8::1",
    "2A00:1450:4001:80B::200E",
    "2001:0db8:0000:0000:0000:0000:0000:0001",
    "1:2:3:4:5:6:7::",
    "1:2:3:4:5:6:1.2.3.4",
    "64:ff9b::8.8.8.8",
    "2002:c000:0204::1",
]


def _sample() -> list[str]:
    rng = random.Random(20261126)
    public = [str(ipaddress.IPv4Address(rng.getrandbits(32))) for _ in range(3000)]
    private = [
        str(net[rng.randrange(net.num_addresses)])
        for net in map(ipaddress.IPv4Network, ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"])
        for _ in range(100)
    ]
    edges = [
        str(ipaddress.ip_address(n) if version == 4 else ipaddress.IPv6Address(n))
        for version in (4, 6)
        for start, end in geo_ranges.non_global(version)
        for n in (start - 1, start, end, end + 1)
        if 0 <= n < 2 ** (32 if version == 4 else 128)
    ]
    # IPv6 inside and around the networks geoip2fast knows, and anywhere in 2000::/3
    shipped = GeoLookup().shipped.ipv6.country
    for row in rng.sample(range(len(shipped.first)), 1000):
        first = int.from_bytes(shipped.first[row].ljust(16, b"\0"), "big")
        last = int.from_bytes(shipped.last[row].ljust(16, b"\0"), "big")
        for n in (first, rng.randint(first, last), last + 1):
            edges.append(str(ipaddress.IPv6Address(n % 2**128)))
    edges += [str(ipaddress.IPv6Address((1 << 125) | rng.getrandbits(125))) for _ in range(300)]
    clinic = [f"83.44.{rng.randrange(256)}.{rng.randrange(256)}" for _ in range(50)]
    return public + private + edges + clinic + ODD_SPELLINGS + IPV6


def _rows(table: pa.Table) -> dict[str, dict[str, Any]]:
    return {row.pop("ip"): row for row in table.to_pylist()}


def test_batch_answers_match_the_libraries_address_by_address(cache_dir: Path) -> None:
    clinic = parse_networks(["83.44.0.0/16", "2a02:9000::/32"])
    sample = _sample()
    geo = GeoLookup(internal=clinic, cache_dir=cache_dir)
    batch = _rows(geo.table([*sample, *sample[:100]]))
    assert len(batch) == len(set(sample))
    expected = {ip: _reference(ip, clinic) for ip in sample}
    wrong = {ip: (batch[ip], expected[ip]) for ip in expected if batch[ip] != expected[ip]}
    assert not wrong, list(wrong.items())[:5]
    # the same answers come one by one, and not by chance: the sample covers every case
    one_by_one = GeoLookup(internal=clinic, cache_dir=cache_dir)
    assert all((one_by_one.place(ip) or Place()) == Place(**expected[ip]) for ip in sample[::4])
    countries = [row["country"] for row in batch.values()]
    assert countries.count("internal") > 400 and countries.count(None) > 50
    assert sum(row["asn_org"] is not None for row in batch.values()) > 2000
    ipv6_countries = [row["country"] for ip, row in batch.items() if ":" in ip]
    assert len(set(ipv6_countries)) > 50


def test_it_names_no_asn_owner_for_an_address_outside_every_asn_network(
    cache_dir: Path,
) -> None:
    gaps = [
        ip
        for ip in _sample()[:3000]
        if (found := _geoip2fast().lookup(ip)).asn_cidr
        and ipaddress.ip_address(ip) not in ipaddress.ip_network(found.asn_cidr)
    ]
    assert gaps  # geoip2fast alone would give these the previous network's owner
    rows = _rows(GeoLookup(cache_dir=cache_dir).table(gaps))
    assert all(rows[ip]["asn_org"] is None for ip in gaps)
    assert any(rows[ip]["country"] not in (None, "internal") for ip in gaps)


def test_a_country_without_a_centroid_still_gets_its_code(cache_dir: Path) -> None:
    shipped = GeoLookup(cache_dir=cache_dir).shipped
    kosovo = shipped.countries.to_pylist().index("XK")
    first = shipped.ipv4.country.first[np.flatnonzero(shipped.ipv4.country.index == kosovo)[0]]
    ip = str(ipaddress.IPv4Address(int(first)))
    (row,) = GeoLookup(cache_dir=cache_dir).table([ip]).to_pylist()
    assert (row["country"], row["lat"]) == ("XK", None)  # countryinfo does not know Kosovo
    assert GeoLookup(cache_dir=cache_dir).place(ip) == Place(country="XK", asn_org=row["asn_org"])


def test_it_takes_an_arrow_array_with_repeats_and_nulls(cache_dir: Path) -> None:
    geo = GeoLookup(cache_dir=cache_dir)
    table = geo.table(pa.chunked_array([["8.8.8.8", None], ["8.8.8.8", "fe80::1", "x"]]))
    assert table.schema == GEO_SCHEMA
    assert sorted(table.column("ip").to_pylist()) == ["8.8.8.8", "fe80::1", "x"]
    assert geo.table([]).num_rows == 0 and geo.table([]).schema == GEO_SCHEMA


def test_dotted_quads_parse_as_ipaddress_parses_them() -> None:
    rng = random.Random(5)
    strings = ODD_SPELLINGS + IPV6 + ["0.0.0.0", "255.255.255.255", "1.10.100.200"]
    strings += [str(ipaddress.IPv4Address(rng.getrandbits(32))) for _ in range(500)]
    is_ipv4, ints = geo_ranges.parse_ipv4(pa.array(strings))
    expected: list[int | None] = []
    for text in strings:
        try:
            expected.append(int(ipaddress.IPv4Address(text)))
        except ValueError:
            expected.append(None)
    assert is_ipv4.tolist() == [n is not None for n in expected]
    assert ints.tolist() == [n for n in expected if n is not None]


@pytest.mark.parametrize("version", [4, 6])
def test_non_global_ranges_agree_with_ipaddress_at_every_edge(version: int) -> None:
    bits = 32 if version == 4 else 128
    spans = geo_ranges.non_global(version)
    starts, ends = geo_ranges.merged_ranges(spans, version)
    probes = {n for s, e in spans for n in (s - 1, s, s + 1, e - 1, e, e + 1) if 0 <= n < 2**bits}
    probes |= {random.Random(9).getrandbits(bits) for _ in range(2000)}
    numbers = sorted(probes)
    inside = geo_ranges.in_ranges(geo_ranges.to_keys(numbers, version), starts, ends)
    address = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    assert inside.tolist() == [not address(n).is_global for n in numbers]


def test_the_shipped_arrays_are_cached_and_a_torn_cache_is_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    built = GeoLookup(cache_dir=cache).shipped
    (cached,) = cache.glob("geoip2fast-*/asn6_last.npy")
    geo_ranges.shipped.cache_clear()
    loaded = GeoLookup(cache_dir=cache).shipped
    assert loaded is not built
    assert np.array_equal(loaded.ipv4.asn.first, built.ipv4.asn.first)
    assert np.array_equal(loaded.ipv6.country.last, built.ipv6.country.last)
    assert loaded.asn_names.equals(built.asn_names) and loaded.countries.equals(built.countries)
    cached.write_bytes(b"torn")
    geo_ranges.shipped.cache_clear()
    rebuilt = GeoLookup(cache_dir=cache).shipped
    assert np.array_equal(rebuilt.ipv4.country.last, built.ipv4.country.last)
    assert cached.stat().st_size > 1_000_000
    assert [p.name for p in cache.iterdir()] == [cached.parent.name]  # no leftovers


def test_with_mmdb_files_the_batch_matches_address_by_address(
    tmp_path: Path, cache_dir: Path
) -> None:
    both = MMDBWriter(ip_version=6, database_type="GeoIP2-City", ipv4_compatible=True)
    records = {
        "83.44.0.0/16": {"country": {"iso_code": "PT"}, "city": {"names": {"en": "Porto"}}},
        "8.8.8.0/24": {"autonomous_system_number": 15169, "location": {"latitude": 1.5}},
        "2a00:1450::/32": {"registered_country": {"iso_code": "IE"}},
        "5.0.0.0/8": {"location": {"latitude": 10.0, "longitude": 20.0}},
    }
    for network, record in records.items():
        both.insert_network(IPSet([network]), record)
    only_ipv4 = MMDBWriter(ip_version=4, database_type="GeoLite2-ASN")
    only_ipv4.insert_network(IPSet(["0.0.0.0/1"]), {"autonomous_system_organization": "Low"})
    paths = [tmp_path / "city.mmdb", tmp_path / "asn.mmdb"]
    both.to_db_file(str(paths[0]))
    only_ipv4.to_db_file(str(paths[1]))
    clinic = parse_networks(["198.51.100.0/24", "2a02:9000::/32"])
    sample = _sample()[::3] + ["83.44.1.2", "::ffff:83.44.7.7", "8.8.8.8", "2a00:1450::1"]
    geo = GeoLookup(mmdb_paths=paths, internal=clinic, cache_dir=cache_dir)
    batch = _rows(geo.table(sample))
    one_by_one = GeoLookup(mmdb_paths=paths, internal=clinic, cache_dir=cache_dir)
    wrong = [ip for ip in sample if Place(**batch[ip]) != (one_by_one.place(ip) or Place())]
    assert not wrong, [(ip, batch[ip], one_by_one.place(ip)) for ip in wrong[:5]]
    assert batch["::ffff:83.44.7.7"]["city"] == "Porto"  # looked up as its IPv4 address
    assert batch["8.8.8.8"]["asn"] == 15169 and batch["8.8.8.8"]["lon"] is None
    assert batch["2a00:1450::1"]["country"] == "IE"
    assert batch["2a00:1450::1"]["asn_org"] == "GOOGLE"  # from the shipped data
    assert sum(row["asn_org"] == "Low" for row in batch.values()) > 100
    assert sum(row["lat"] == 10.0 for row in batch.values()) >= 1
    geo.close()
    one_by_one.close()
