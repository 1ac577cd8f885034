"""Offline IP enrichment: internal ranges, shipped data, and a user .mmdb first."""

from pathlib import Path

from mmdb_writer import MMDBWriter
from netaddr import IPSet

from clinicshield.monitoring.core.geo import GeoLookup, parse_networks


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
