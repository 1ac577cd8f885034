"""Import nmap XML (`nmap -oX`) and, where nmap is installed, drive it.

Only what we need is read: hosts that are up, and ports whose state is open, with
nmap's service name, product and version. The XML is parsed with defusedxml because
an imported file comes from wherever the user got it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from .observations import Observation, OpenPort


class NmapXmlError(ValueError):
    """The file is not nmap XML, or is broken (the message says where)."""


def parse_nmap_xml(text: str | bytes, source: str = "nmap XML") -> Observation:
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise NmapXmlError(f"{source}: line {line}, column {column}: not well-formed XML") from None
    except Exception as exc:  # defusedxml's refusals: entities, external references
        raise NmapXmlError(f"{source}: refused unsafe XML ({type(exc).__name__})") from None
    if root.tag != "nmaprun":
        raise NmapXmlError(f"{source}: the root element is <{root.tag}>, not nmap's <nmaprun>")
    observation = Observation(
        source="nmap-xml",
        started=root.get("startstr", ""),
        arguments=root.get("args", ""),
    )
    for host in root.iter("host"):
        _read_host(host, observation)
    return observation


def _address_of(host: Element) -> str | None:
    for address in host.iter("address"):
        if address.get("addrtype") in ("ipv4", "ipv6"):
            return address.get("addr")
    return None


def _read_host(host: Element, observation: Observation) -> None:
    status = host.find("status")
    address = _address_of(host)
    if address is None or (status is not None and status.get("state") != "up"):
        return
    observation.hosts_up.append(address)
    for port in host.iter("port"):
        state = port.find("state")
        if state is None or state.get("state") != "open":
            continue
        service = port.find("service")
        product = ""
        name = "unknown"
        if service is not None:
            name = service.get("name", "unknown")
            product = " ".join(v for v in (service.get("product"), service.get("version")) if v)
        observation.open_ports.append(
            OpenPort(
                address=address,
                port=int(port.get("portid", "0")),
                proto=port.get("protocol", "tcp"),
                service=name,
                product=product,
            )
        )


def nmap_available() -> str | None:
    return shutil.which("nmap")


def run_nmap(addresses: Sequence[str], ports: Sequence[int], timeout: float = 3600) -> Observation:
    """Drive nmap (connect scan, so no privileges are needed) and read its XML."""
    nmap = nmap_available()
    if nmap is None:
        raise FileNotFoundError("nmap is not installed")
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "scan.xml"
        targets = Path(folder) / "targets.txt"
        targets.write_text("\n".join(addresses) + "\n")
        # -n: no reverse DNS. Those lookups go to a DNS server, an address outside the
        # registered networks that the scope check never saw.
        command = [nmap, "-sT", "-T4", "-n", "-p", ",".join(str(p) for p in ports)]
        command += ["-iL", str(targets), "-oX", str(output)]
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)
        observation = parse_nmap_xml(output.read_bytes(), "nmap output")
    observation.source = "nmap"
    return observation
