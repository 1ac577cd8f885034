"""Derive nmap's "top N ports" lists from its nmap-services frequency data.

nmap ranks ports by how often its authors found them open on the Internet (the third
column of nmap-services) and scans the most frequent ones first; `--top-ports 1000`
(its default) is the first thousand TCP ports in that order, ties broken by port number.
We keep only the resulting port numbers in a data file so nmap is not needed at run time.

Regenerate with:
    python -m clinicshield.exposure.core.nmap_services /usr/share/nmap/nmap-services
"""

from __future__ import annotations

import sys
from pathlib import Path

from .portsets import TOP_PORTS_FILE


class ServicesFileError(ValueError):
    """A line of nmap-services that cannot be read (file and line in the message)."""


def read_frequencies(
    text: str, proto: str, source: str = "nmap-services"
) -> list[tuple[float, int]]:
    """(open-frequency, port) for every entry of `proto` in the file."""
    rows: list[tuple[float, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split()
        try:
            port_text, line_proto = fields[1].split("/")
            if line_proto == proto:
                rows.append((float(fields[2]), int(port_text)))
        except (IndexError, ValueError) as exc:
            raise ServicesFileError(f"{source}:{number}: cannot read {line!r}") from exc
    return rows


def top_ports(text: str, count: int, proto: str = "tcp") -> list[int]:
    """The `count` most frequently open ports, most frequent first (nmap's order)."""
    rows = sorted(read_frequencies(text, proto), key=lambda row: (-row[0], row[1]))
    return [port for _, port in rows[:count]]


def render_top_ports_file(ports: list[int], source_id: str) -> str:
    header = [
        "# nmap's top TCP ports, most frequently open first (one port per line).",
        "# Derived from the open-frequency column of nmap-services, the data file of the",
        "# Nmap Security Scanner (https://nmap.org/, https://nmap.org/book/nmap-services.html):",
        f"# {source_id}",
        "# Only the ranking (port numbers) is kept. The first 1000 lines are exactly the",
        "# ports `nmap --top-ports 1000` scans; the first 100 those of `--top-ports 100`.",
        "# Regenerate: python -m clinicshield.exposure.core.nmap_services <nmap-services>",
    ]
    return "\n".join(header + [str(port) for port in ports]) + "\n"


def _source_id(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("# $Id:"):
            return line.lstrip("# ").strip()
    return "nmap-services (version unknown)"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(
            "usage: python -m clinicshield.exposure.core.nmap_services NMAP-SERVICES",
            file=sys.stderr,
        )
        return 2
    text = Path(argv[0]).read_text(encoding="utf-8")
    TOP_PORTS_FILE.write_text(render_top_ports_file(top_ports(text, 1000), _source_id(text)))
    print(f"wrote {TOP_PORTS_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
