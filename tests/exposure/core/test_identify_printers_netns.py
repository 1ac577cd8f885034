"""Identification leaves raw printing ports alone: a printer prints whatever reaches them.

One host on 10.213.12.0/24 (only inside the lab's namespaces), .10, with silent listeners on
9100 and 9107 (JetDirect's range) and on 9108 (just past it), and a counter of the packets
each port receives.
"""

import asyncio
import re
import subprocess
from collections.abc import Iterator

import pytest

from clinicshield.exposure.core.identify import identify_all
from tests.exposure.conftest import lab_tag
from tests.exposure.exposure_netlab import Host, Lab, inside
from tests.system import need_root_netns

pytestmark = pytest.mark.netns

PRINTER = "10.213.12.10"
PORTS = (9100, 9107, 9108)


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    need_root_netns()
    lab = Lab(lab_tag("prn"), subnet="10.213.12")
    try:
        lab.open()
        printer = lab.add_host(10)
        lab.wait_for_links()
        printer.serve([{"kind": "plain", "port": port} for port in PORTS])
        counters = "\n  ".join(f"tcp dport {port} counter" for port in PORTS)
        printer.firewall("perport", counters)
        yield lab
    finally:
        lab.close()


def packets_per_port(lab: Lab, host: Host) -> dict[int, int]:
    listing = subprocess.run(
        [*lab.exec_prefix(host.name), "nft", "list", "table", "inet", "perport"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.findall(r"tcp dport (\d+) counter packets (\d+)", listing)
    return {int(port): int(count) for port, count in found}


def test_raw_printing_ports_are_named_without_a_single_packet(lab: Lab) -> None:
    printer = lab.hosts[0]
    before = packets_per_port(lab, printer)
    with inside(lab.switch):
        found = asyncio.run(identify_all({PRINTER: list(PORTS)}, timeout=0.5))
    after = packets_per_port(lab, printer)
    assert found[(PRINTER, 9100)].service == "jetdirect"
    assert found[(PRINTER, 9107)].service == "jetdirect"
    assert after[9100] == before[9100]
    assert after[9107] == before[9107]
    # The port just past the range is probed as any other: the counters do count.
    assert found[(PRINTER, 9108)].service == "unknown"
    assert after[9108] > before[9108]
