"""The sensor's side of a site scan: the product's scan of what it was handed, and a
refusal, before any packet, of an address outside the scan's network."""

import socket
from collections.abc import Iterator

import pytest

from clinicshield.sensor.core.site_scans import run_scan_order


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP port open on 127.77.6.10 (loopback), which counts the connections it gets."""
    with socket.socket() as server:
        server.bind(("127.77.6.10", 0))
        server.listen(16)
        server.settimeout(0.3)
        yield server


def order(listener: socket.socket, network: str) -> dict[str, object]:
    port = listener.getsockname()[1]
    return {"scan": 7, "network": network, "addresses": ["127.77.6.10"], "ports": [port]}


def test_it_scans_the_addresses_it_was_handed_and_reports_what_is_open(
    listener: socket.socket,
) -> None:
    report, error = run_scan_order(order(listener, "127.77.6.0/24"), timeout=0.5)
    assert error == ""
    assert report["hosts_up"] == ["127.77.6.10"]
    (found,) = report["open_ports"]
    assert (found["address"], found["port"], found["proto"]) == (
        "127.77.6.10",
        listener.getsockname()[1],
        "tcp",
    )


def test_it_refuses_an_address_outside_the_scans_network_without_a_packet(
    listener: socket.socket,
) -> None:
    report, error = run_scan_order(order(listener, "127.77.5.0/24"), timeout=0.5)
    assert (report, error) == ({}, "refused by the sensor: 127.77.6.10 is outside 127.77.5.0/24")
    with pytest.raises(TimeoutError):
        listener.accept()  # nobody knocked
