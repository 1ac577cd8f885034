"""The connect engine against real hosts in network namespaces, each state made for real.

Hosts on 10.213.11.0/24 (only inside the lab's namespaces):
  .10  listens on 22, 80 and 443; drops 8080 and 9100 (silent); answers 7000 with an
       ICMP "administratively prohibited" and 7001 with a TCP reset (a firewall's two
       refusals); every other port is closed (the kernel's RST)
  .11  drops every TCP packet
  .12  drops the first SYN to each port and lets the next ones through: a lossy link
  .13  (one test) scans its own loopback with only two ephemeral ports
"""

import os
import select
import socket
import struct
import subprocess
import time
from collections.abc import Iterator

import pytest

from clinicshield.exposure.core.connect_engine import ConnectEngine
from clinicshield.exposure.core.scanner import ScanOptions, scan
from tests.exposure.conftest import lab_tag
from tests.exposure.exposure_netlab import Lab, inside
from tests.system import need_root_netns

pytestmark = pytest.mark.netns

RICH, SILENT, LOSSY = "10.213.11.10", "10.213.11.11", "10.213.11.12"
LOSE_FIRST_SYN = """
table inet lossy {
 set asked { type inet_service; flags dynamic; }
 chain input {
  type filter hook input priority 0;
  tcp flags syn tcp dport @asked accept
  tcp flags syn add @asked { tcp dport } drop
 }
}
"""


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    need_root_netns()
    lab = Lab(lab_tag("eng"), subnet="10.213.11")
    try:
        lab.open()
        rich, silent, lossy = lab.add_host(10), lab.add_host(11), lab.add_host(12)
        lab.wait_for_links()
        rich.serve([{"kind": "plain", "port": port} for port in (22, 80, 443)])
        rich.drop([8080, 9100])
        rich.firewall("unreach", "tcp dport 7000 reject with icmpx type admin-prohibited")
        rich.firewall("refuse", "tcp dport 7001 reject with tcp reset")
        silent.firewall("dropall", "meta l4proto tcp drop")
        subprocess.run(
            [*lab.exec_prefix(lossy.name), "nft", "-f", "-"],
            input=LOSE_FIRST_SYN,
            text=True,
            check=True,
            capture_output=True,
        )
        yield lab
    finally:
        lab.close()


def engine(ports: list[int], **changes: object) -> ConnectEngine:
    settings: dict[str, object] = {
        "ports": ports,
        "discovery_ports": (80, 22),
        "concurrency": 1024,
        "host_parallelism": 1024,
        "initial_window": 64,
        "timeout": 0.3,
        "min_timeout": 0.2,
        "discovery_timeout": 0.5,
        "min_discovery_timeout": 0.25,
        "retries": 1,
        "is_neighbour": lambda address: False,
    }
    settings.update(changes)
    return ConnectEngine(**settings)  # type: ignore[arg-type]


def drive(running: ConnectEngine, seconds: float = 20.0) -> None:
    """Run the engine to the end without an event loop, as the scanner's loop does."""
    deadline = time.monotonic() + seconds
    running.fill(time.monotonic())
    while not running.done:
        assert time.monotonic() < deadline, "the engine did not finish"
        select.select([running.fileno()], [], [], 0.01)
        now = time.monotonic()
        running.poll(now)
        running.expire(now)
        running.fill(now)
    running.close()


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_it_classifies_open_closed_silent_and_refused_ports(lab: Lab) -> None:
    ports = [22, 80, 443, 23, 25, 8080, 9100, 7000, 7001]
    with inside(lab.switch):
        result = scan([RICH], ScanOptions(ports=ports, discovery=False, timeout=0.3))
    host = result.hosts[RICH]
    assert sorted(host.open_ports) == [22, 80, 443]
    # Dropped ports are silent; an ICMP refusal is a firewall too. A TCP reset, like the
    # kernel's own, is a closed port.
    assert sorted(host.filtered_ports) == [7000, 8080, 9100]
    # Only the two silent ports are asked again: a refusal is an answer.
    assert result.attempts == len(ports) + 2
    assert host.lost == 0


def test_a_refused_port_hands_its_socket_to_the_next_port(lab: Lab) -> None:
    before = open_descriptors()
    with inside(lab.switch):
        result = scan([RICH], ScanOptions(ports=range(1, 3001), discovery=False, concurrency=50))
    assert result.attempts == 3000
    assert sorted(result.hosts[RICH].open_ports) == [22, 80, 443]
    # Three open ports are closed for good; the rest reuse the sockets of refusals.
    assert result.sockets_opened <= 50 + 3 + 10
    assert open_descriptors() == before


def test_open_ports_leave_no_time_wait_behind(lab: Lab) -> None:
    with inside(lab.switch):
        scan([RICH], ScanOptions(ports=[22, 80, 443], discovery=False))
    waiting = subprocess.run(
        [*lab.exec_prefix(), "ss", "-Htan", "state", "time-wait", "dst", RICH],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert waiting.strip() == ""


def test_it_keeps_to_the_bound_per_host(lab: Lab) -> None:
    options = ScanOptions(
        ports=range(1, 41), discovery=False, concurrency=100, host_parallelism=5, timeout=0.2
    )
    with inside(lab.switch):
        result = scan([SILENT], options)
    assert 2 <= result.peak_in_flight <= 5
    assert sorted(result.hosts[SILENT].filtered_ports) == list(range(1, 41))


def test_a_new_host_gets_its_first_window_then_one_more_per_finished_attempt(lab: Lab) -> None:
    with inside(lab.switch):
        running = engine(list(range(1, 201)), initial_window=8)
        running.add_hosts([SILENT], discovery=False)
        started = time.monotonic()
        running.fill(started)
        assert len(running.in_flight) == 8  # nothing answered yet: only the first window
        running.expire(started + 1.0)  # every wait is over: eight silent ports
        running.fill(started + 1.0)
        assert len(running.in_flight) == 16  # eight retries and eight new ports
        running.close()
    assert running.finished == 0  # silent ports asked again are not finished yet


def test_lost_packets_halve_the_window_once_a_round_and_ports_are_still_right(
    lab: Lab,
) -> None:
    with inside(lab.switch):
        running = engine(list(range(1, 41)), initial_window=64)
        running.add_hosts([LOSSY], discovery=False)
        drive(running)
    host = running.hosts[LOSSY]
    # Every first SYN was lost: all 40 ports answered their retry (closed, not filtered).
    assert host.filtered_ports == set() and host.open_ports == set()
    assert host.lost == 40
    # 64, plus one per silent first attempt, halved once (the 40 retries left together).
    assert host.window == (64 + 40) / 2


def test_discovery_finds_live_hosts_and_gives_up_on_absent_ones(lab: Lab) -> None:
    absent = "10.213.11.30"
    with inside(lab.switch):
        result = scan([RICH, absent], ScanOptions(ports=[22, 23]))
    assert set(result.hosts) == {RICH}
    assert result.hosts[RICH].up_reason == "tcp"
    assert sorted(result.hosts[RICH].open_ports) == [22]


def test_no_socket_is_left_open_when_a_callback_fails(lab: Lab) -> None:
    def explode(address: str, port: int) -> None:
        raise RuntimeError("stage after the scan broke")

    before = open_descriptors()
    with inside(lab.switch), pytest.raises(RuntimeError, match="stage after the scan broke"):
        scan([RICH], ScanOptions(ports=range(1, 2000), discovery=False, on_open=explode))
    assert open_descriptors() == before


def test_a_socket_connected_to_itself_is_not_an_open_port(lab: Lab) -> None:
    # With two ephemeral ports, the kernel gives a connect to the first of them that very
    # port as its own: the socket meets itself (TCP's simultaneous open), though nothing
    # listens. A scan of the box's own address meets this at random; here it is certain.
    host = lab.add_host(13)
    host.run("sysctl", "-w", "net.ipv4.ip_local_port_range=45000 45001")
    with inside(host.name):
        plain = socket.socket()
        plain.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        assert plain.connect_ex(("127.0.0.1", 45000)) == 0  # what the scan will meet
        assert plain.getsockname() == plain.getpeername()
        plain.close()
        result = scan(["127.0.0.1"], ScanOptions(ports=[45000, 45001], discovery=False))
    assert result.hosts["127.0.0.1"].open_ports == set()
    assert result.hosts["127.0.0.1"].filtered_ports == set()
