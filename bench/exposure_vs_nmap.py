"""Benchmark: our `clinicshield scan` against `nmap -sT -T4` on a namespace network.

    .venv/bin/python bench/exposure_vs_nmap.py [--hosts 16] [--repeat 1]

Builds a throw-away network of network namespaces (10.213.20.0/27, only inside the lab:
a switch namespace where both scanners run, and one namespace per host), starts a known
set of TCP listeners, then times, in the same run and as whole commands:

  top1000: `clinicshield scan 10.213.20.0/27 --ports top1000` (CLI start-up, host
           discovery, scan, service identification, SNMP check, database writes)
           vs `nmap -sT -T4 10.213.20.0/27` (nmap's default top 1000 and default host
           discovery, absent hosts included);
  all:     every one of the 65,535 TCP ports of one host, `--ports all` vs
           `nmap -sT -T4 -p-`.

Each nmap command also runs with -n. The lab has no DNS server, and without -n nmap
waits about 13 s per run for reverse lookups that cannot succeed; our scanner does no DNS
at all, so the -n figure is the fair one and both are reported.

Both open-port sets must equal the listeners started (100% agreement). Prints one JSON
line per workload and repetition: seconds for each tool and nmap/ours (above 1: we are
faster). Needs root, iproute2 and nmap.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clinicshield.exposure.core.nmap_xml import parse_nmap_xml  # noqa: E402
from clinicshield.exposure.core.portsets import nmap_top_ports  # noqa: E402
from tests.exposure.exposure_netlab import Lab, netns_unavailable_reason  # noqa: E402

SUBNET = "10.213.20"
CIDR = f"{SUBNET}.0/27"
CLI = str(Path(sys.executable).with_name("clinicshield"))
# Services a clinic network typically shows, plus ports outside nmap's top 1000.
COMMON = [22, 80, 443, 445, 3389, 135, 139, 8080, 3306, 5900, 9100, 21, 25, 1433, 5432, 631]
RARE = [11112, 2575, 40000, 50505, 65000]


def listeners_for(index: int) -> list[int]:
    """A varied, known set per host: 2 to 6 common ports; the first host gets rare ones too."""
    count = 2 + index % 5
    ports = [COMMON[(index * 3 + k) % len(COMMON)] for k in range(count)]
    if index == 0:
        ports += RARE
    return sorted(set(ports))


def timed(
    command: list[str], env: dict[str, str]
) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds, done


def ours_open(stdout: str) -> set[tuple[str, int]]:
    rows = [json.loads(line) for line in stdout.splitlines()]
    return {(r["host"], r["port"]) for r in rows if "summary" not in r and r["proto"] == "tcp"}


def nmap_open(xml_path: Path) -> set[tuple[str, int]]:
    observation = parse_nmap_xml(xml_path.read_bytes(), str(xml_path))
    return {(p.address, p.port) for p in observation.open_ports if p.proto == "tcp"}


def build_lab(hosts: int) -> tuple[Lab, dict[str, list[int]]]:
    lab = Lab(f"csb{os.getpid() % 100000}", subnet=SUBNET)
    lab.open()
    expected: dict[str, list[int]] = {}
    for index in range(hosts):
        host = lab.add_host(10 + index)
        expected[host.address] = listeners_for(index)
    lab.wait_for_links()
    for host in lab.hosts:
        host.serve([{"kind": "plain", "port": port} for port in expected[host.address]])
    return lab, expected


def run_workload(
    name: str, lab: Lab, env: dict[str, str], ours: list[str], nmap: list[str], want: set
) -> dict[str, object]:
    """Ours, then `nmap -sT -T4` as given, then the same with -n (no reverse DNS)."""
    prefix = lab.exec_prefix()
    with tempfile.TemporaryDirectory() as folder:
        xml, xml_n = Path(folder) / "nmap.xml", Path(folder) / "nmap-n.xml"
        # What any verb costs before it does its work (Django set-up, every app's imports,
        # the migration check): a trivial verb of the same app, for reference.
        startup_seconds, _ = timed([*prefix, CLI, "networks", "list", "--org", "bench"], env)
        ours_seconds, done = timed([*prefix, CLI, *ours], env)
        nmap_seconds, _ = timed([*prefix, "nmap", *nmap, "-oX", str(xml)], env)
        nmap_n_seconds, _ = timed([*prefix, "nmap", "-n", *nmap, "-oX", str(xml_n)], env)
        found = {
            "ours": ours_open(done.stdout),
            "nmap": nmap_open(xml),
            "nmap -n": nmap_open(xml_n),
        }
    return {
        "benchmark": "exposure_vs_nmap",
        "workload": name,
        "ours_seconds": round(ours_seconds, 2),
        "cli_startup_seconds": round(startup_seconds, 2),
        "nmap_seconds": round(nmap_seconds, 2),
        "nmap_n_seconds": round(nmap_n_seconds, 2),
        "nmap_over_ours": round(nmap_seconds / ours_seconds, 2),
        "nmap_n_over_ours": round(nmap_n_seconds / ours_seconds, 2),
        "open_ports": len(want),
        "agree_with_listeners": {tool: ports == want for tool, ports in found.items()},
        "identical": found["ours"] == found["nmap"] == found["nmap -n"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    reason = netns_unavailable_reason()
    if reason or not shutil.which("nmap"):
        print(json.dumps({"benchmark": "exposure_vs_nmap", "skipped": reason or "needs nmap"}))
        return 2
    top = set(nmap_top_ports()[:1000])
    lab, expected = build_lab(args.hosts)
    data_dir = tempfile.mkdtemp(prefix="csbench")
    env = dict(os.environ, CLINICSHIELD_DATA_DIR=data_dir)
    try:
        prefix = lab.exec_prefix()
        timed([*prefix, CLI, "createorg", "--name", "Bench", "--slug", "bench"], env)
        timed(
            [
                *prefix,
                CLI,
                "networks",
                "add",
                "--org",
                "bench",
                "--site",
                "Lab",
                "--zone",
                "servers",
                "--cidr",
                CIDR,
            ],
            env,
        )
        first = lab.hosts[0].address
        want_top = {(a, p) for a, ports in expected.items() for p in ports if p in top}
        want_all = {(first, p) for p in expected[first]}
        for _ in range(args.repeat):
            print(
                json.dumps(
                    run_workload(
                        "top1000, 16 hosts in a /27",
                        lab,
                        env,
                        ["scan", CIDR, "--org", "bench", "--ports", "top1000", "--format", "json"],
                        ["-sT", "-T4", CIDR],
                        want_top,
                    )
                ),
                flush=True,
            )
            print(
                json.dumps(
                    run_workload(
                        "all 65535 ports, one host",
                        lab,
                        env,
                        ["scan", first, "--org", "bench", "--ports", "all", "--format", "json"],
                        ["-sT", "-T4", "-p-", first],
                        want_all,
                    )
                ),
                flush=True,
            )
    finally:
        lab.close()
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
