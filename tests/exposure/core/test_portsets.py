from pathlib import Path

import pytest

from clinicshield.exposure.core import nmap_services
from clinicshield.exposure.core.portsets import (
    CLINIC_EXTRA_PORTS,
    TOP_PORTS_FILE,
    PortSpecError,
    nmap_top_ports,
    resolve_ports,
)

NMAP_SERVICES = Path("/usr/share/nmap/nmap-services")


def test_it_ships_nmaps_top_thousand_ports_in_rank_order() -> None:
    ports = nmap_top_ports()
    assert len(ports) == 1000
    assert len(set(ports)) == 1000
    assert ports[:5] == (80, 23, 443, 21, 22)  # nmap's most frequently open TCP ports


def test_it_matches_what_the_installed_nmap_services_file_ranks() -> None:
    if not NMAP_SERVICES.exists():
        pytest.skip("nmap's data file is not installed (Debian package nmap-common)")
    derived = nmap_services.top_ports(NMAP_SERVICES.read_text(), 1000)
    assert tuple(derived) == nmap_top_ports()


def test_it_cites_where_the_ranking_comes_from() -> None:
    header = TOP_PORTS_FILE.read_text().split("\n80\n")[0]
    assert "nmap-services" in header and "https://nmap.org/" in header


def test_it_breaks_frequency_ties_by_port_number_like_nmap() -> None:
    text = "a\t20/tcp\t0.5\nb\t10/tcp\t0.5\nc\t5/udp\t0.9\nd\t30/tcp\t0.7\n"
    assert nmap_services.top_ports(text, 3) == [30, 10, 20]


def test_it_reports_the_line_of_a_broken_services_file() -> None:
    with pytest.raises(nmap_services.ServicesFileError, match="x:2"):
        nmap_services.read_frequencies("a\t1/tcp\t0.1\nbroken line\n", "tcp", "x")


def test_top100_is_the_head_of_top1000() -> None:
    assert set(resolve_ports("top100")) == set(nmap_top_ports()[:100])
    assert set(resolve_ports("top100")) < set(resolve_ports("top1000"))


def test_clinic_adds_healthcare_ports_that_top1000_lacks() -> None:
    clinic = set(resolve_ports("clinic"))
    top = set(resolve_ports("top1000"))
    assert top < clinic
    for port in (104, 2575, 2762, 11112, 4242, 8042, 5938, 6379, 27017, 9200, 1883, 502):
        assert port in clinic
    assert set(CLINIC_EXTRA_PORTS) <= clinic


def test_it_accepts_lists_ranges_and_named_sets_together() -> None:
    assert resolve_ports("22, 80,8000-8002") == [22, 80, 8000, 8001, 8002]
    assert len(resolve_ports("all")) == 65535
    assert 8443 in resolve_ports("top100,8443")


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ("", "empty"),
        ("22,,80", "empty"),
        ("http", "'http'"),
        ("0", "outside"),
        ("90-80", "reversed"),
        ("70000", "outside"),
    ],
)
def test_it_rejects_bad_port_specs_saying_which_part(spec: str, fragment: str) -> None:
    with pytest.raises(PortSpecError, match=fragment):
        resolve_ports(spec)
