"""What identification sends to a port, counted by the host that receives it.

One host on 10.213.12.0/24 (only inside the lab's namespaces), .10, with silent listeners on
9100 and 9107 (JetDirect's range) and on 9108 (just past it), a listener on 6380 that
answers anything with a Redis-like error line, and a counter of the connections (SYNs)
each port receives.
"""

import asyncio
import re
import subprocess
from collections.abc import Iterator

import pytest

from clinicshield.exposure.core.identify import ServiceInfo, identify_all
from tests.exposure.conftest import lab_tag
from tests.exposure.exposure_netlab import Lab, inside
from tests.system import need_root_netns

pytestmark = pytest.mark.netns

HOST = "10.213.12.10"
SILENT = (9100, 9107, 9108)
CLEAR_TEXT = 6380
ERROR_LINE = "-ERR unknown command 'HEAD'"


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    need_root_netns()
    lab = Lab(lab_tag("idp"), subnet="10.213.12")
    try:
        lab.open()
        host = lab.add_host(10)
        lab.wait_for_links()
        host.serve(
            [{"kind": "plain", "port": port} for port in SILENT]
            + [{"kind": "answer", "port": CLEAR_TEXT, "text": ERROR_LINE}]
        )
        counters = "\n  ".join(
            f"tcp dport {port} tcp flags syn counter" for port in (*SILENT, CLEAR_TEXT)
        )
        host.firewall("perport", counters)
        yield lab
    finally:
        lab.close()


def connections_per_port(lab: Lab) -> dict[int, int]:
    listing = subprocess.run(
        [*lab.exec_prefix(lab.hosts[0].name), "nft", "list", "table", "inet", "perport"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.findall(r"tcp dport (\d+) tcp flags syn counter packets (\d+)", listing)
    return {int(port): int(count) for port, count in found}


def identified(lab: Lab, ports: list[int]) -> tuple[dict[int, ServiceInfo], dict[int, int]]:
    """Each port's ServiceInfo and how many connections identification opened to it."""
    before = connections_per_port(lab)
    with inside(lab.switch):
        found = asyncio.run(identify_all({HOST: ports}, timeout=0.5))
    after = connections_per_port(lab)
    infos = {port: found[(HOST, port)] for port in ports}
    return infos, {port: after[port] - before[port] for port in ports}


def test_raw_printing_ports_are_named_without_a_single_packet(lab: Lab) -> None:
    infos, opened = identified(lab, [9100, 9107])
    assert {port: info.service for port, info in infos.items()} == {
        9100: "jetdirect",
        9107: "jetdirect",
    }
    assert opened == {9100: 0, 9107: 0}


def test_a_silent_port_is_asked_for_a_greeting_then_http_then_tls(lab: Lab) -> None:
    # The port just past JetDirect's range is probed as any other: the counters do count.
    infos, opened = identified(lab, [9108])
    assert infos[9108].service == "unknown"
    assert opened == {9108: 3}


def test_a_clear_text_answer_is_kept_and_spares_the_tls_attempt(lab: Lab) -> None:
    infos, opened = identified(lab, [CLEAR_TEXT])
    info = infos[CLEAR_TEXT]
    assert info.service == "unknown"
    assert info.product == ERROR_LINE
    assert opened == {CLEAR_TEXT: 2}  # the greeting's wait and the HTTP request
