"""Benchmark: our `clinicshield scan` against `nmap -sT -T4 -n` on a namespace network.

    .venv/bin/python bench/exposure_vs_nmap.py [--hosts 16] [--repeat 1] [--with-dns]
        [--before DIR]

Builds a throw-away network of network namespaces (10.213.20.0/27, only inside the lab:
a switch namespace where both scanners run, and one namespace per host), starts a known
set of TCP listeners, then times, in the same run and as whole commands:

  top1000:    `clinicshield scan 10.213.20.0/27 --ports top1000` (CLI start-up, host
              discovery, scan, service identification, SNMP check, database writes)
              vs `nmap -sT -T4 -n 10.213.20.0/27` (nmap's default top 1000 and default
              host discovery, absent hosts included);
  all:        every one of the 65,535 TCP ports of one host, `--ports all` vs `-p-`;
  top1000, firewalled: the first workload after four hosts got a firewall that drops
              (silently) every TCP port but their services, like a default-deny host
              firewall: about 4,000 silent ports;
  all, 1,000 dropped: the second workload while the host drops ports 1000-1999.

nmap runs with -n: without it nmap asks a DNS server for the name of every address
(the lab has none: about 13 s of waiting per run, see docs/benchmarks.md), and our
scanner does no DNS at all. `--with-dns` adds a run without -n. `--before DIR` adds our
scan from another source tree (`git archive COMMIT | tar -x -C DIR`), run by the same
Python with its own data directory: before and after in the same run.

The open-port sets of both tools must equal the listeners started (100% agreement).
Prints one JSON line per workload and repetition: wall seconds and CPU seconds (user +
system, children included) for each tool, and ours/nmap (at most 1.0: we are as fast or
faster). The order of the two tools alternates between repetitions. Needs root, iproute2,
nftables and nmap.
"""

import argparse
import json
import os
import resource
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
from tests.exposure.exposure_netlab import Host, Lab, netns_unavailable_reason  # noqa: E402

SUBNET = "10.213.20"
CIDR = f"{SUBNET}.0/27"
CLI = str(Path(sys.executable).with_name("clinicshield"))
# Services a clinic network typically shows, plus ports outside nmap's top 1000.
COMMON = [22, 80, 443, 445, 3389, 135, 139, 8080, 3306, 5900, 9100, 21, 25, 1433, 5432, 631]
RARE = [11112, 2575, 40000, 50505, 65000]
FIREWALLED_HOSTS = 4  # hosts 2..5 drop every TCP port but their services
DROPPED_RANGE = "1000-1999"  # ports the first host drops in the last workload


def listeners_for(index: int) -> list[int]:
    """A varied, known set per host: 2 to 6 common ports; the first host gets rare ones too."""
    count = 2 + index % 5
    ports = [COMMON[(index * 3 + k) % len(COMMON)] for k in range(count)]
    if index == 0:
        ports += RARE
    return sorted(set(ports))


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system of the command) and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, done.stdout


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


def set_firewall(hosts: list[Host], rules: dict[str, str] | None) -> None:
    """Give each host its drop rule (address -> nft rule), or remove them (None)."""
    for host in hosts:
        if rules is None:
            subprocess.run(
                ["ip", "netns", "exec", host.name, "nft", "delete", "table", "inet", "benchfw"],
                capture_output=True,
            )
        elif host.address in rules:
            host.firewall("benchfw", rules[host.address])


def our_command(tool: str) -> list[str]:
    """Our CLI: the installed one, or the one of the --before source tree."""
    if tool == "before":
        return [sys.executable, "-P", "-m", "clinicshield.cli"]  # -P: not the cwd's tree
    return [CLI]


def run_workload(
    org: str,
    name: str,
    lab: Lab,
    env: dict[str, dict[str, str]],
    commands: tuple[list[str], list[str]],
    want: set[tuple[str, int]],
    options: argparse.Namespace,
    nmap_first: bool,
) -> dict[str, object]:
    prefix = lab.exec_prefix()
    ours, nmap = commands
    figures: dict[str, object] = {"benchmark": "exposure_vs_nmap", "workload": name}
    with tempfile.TemporaryDirectory() as folder:
        xml, xml_dns = Path(folder) / "nmap.xml", Path(folder) / "nmap-dns.xml"
        # What any verb costs before it does its work (Python, Django, the migrations
        # check): a trivial verb of the same app, for reference.
        startup, _, _ = timed([*prefix, CLI, "networks", "list", "--org", org], env["ours"])
        scan = ["scan", "--org", org, "--format", "json", *ours]
        runs = [(tool, [*prefix, *our_command(tool), *scan]) for tool in env]
        runs.insert(1, ("nmap -n", [*prefix, "nmap", "-n", *nmap, "-oX", str(xml)]))
        if nmap_first:
            runs.reverse()
        if options.with_dns:
            runs.append(("nmap", [*prefix, "nmap", *nmap, "-oX", str(xml_dns)]))
        found: dict[str, set[tuple[str, int]]] = {}
        wall: dict[str, float] = {}
        for tool, command in runs:
            wall[tool], cpu, stdout = timed(command, env.get(tool, env["ours"]))
            figures[f"{tool}_seconds"] = round(wall[tool], 2)
            figures[f"{tool}_cpu_seconds"] = round(cpu, 2)
            if tool in env:
                found[tool] = ours_open(stdout)
            else:
                found[tool] = nmap_open(xml if tool == "nmap -n" else xml_dns)
    figures["cli_startup_seconds"] = round(startup, 2)
    figures["ours_over_nmap_n"] = round(wall["ours"] / wall["nmap -n"], 2)
    if "before" in wall:
        figures["before_over_nmap_n"] = round(wall["before"] / wall["nmap -n"], 2)
    figures["first"] = "nmap" if nmap_first else "ours"
    figures["open_ports"] = len(want)
    figures["agree_with_listeners"] = {tool: ports == want for tool, ports in found.items()}
    figures["identical"] = all(ports == found["ours"] for ports in found.values())
    figures["load_average_1min"] = round(os.getloadavg()[0], 2)
    return figures


# One organisation per workload, each with the /27 registered: a scan is compared with
# the previous scan of its own workload only (a first scan is a baseline; later ones find
# no change), so no row pays for alerts that another row's scan made due.
ORGS = ("top", "all", "top-fw", "all-fw")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--with-dns", action="store_true", help="also run nmap without -n")
    parser.add_argument("--before", metavar="DIR", help="also scan with the source tree in DIR")
    options = parser.parse_args()
    reason = netns_unavailable_reason()
    if reason or not shutil.which("nmap") or not shutil.which("nft"):
        skipped = reason or "needs nmap and nft"
        print(json.dumps({"benchmark": "exposure_vs_nmap", "skipped": skipped}))
        return 2
    lab, expected = build_lab(options.hosts)
    env = {"ours": dict(os.environ, CLINICSHIELD_DATA_DIR=tempfile.mkdtemp(prefix="csbench"))}
    if options.before:
        before = tempfile.mkdtemp(prefix="csbench-before")
        env["before"] = dict(os.environ, CLINICSHIELD_DATA_DIR=before, PYTHONPATH=options.before)
    try:
        prefix = lab.exec_prefix()
        for tool, tool_env in env.items():
            cli = [*prefix, *our_command(tool)]
            for org in ORGS:
                timed([*cli, "createorg", "--name", f"Bench {org}", "--slug", org], tool_env)
                register = ["networks", "add", "--org", org, "--site", "Lab", "--zone", "servers"]
                timed([*cli, *register, "--cidr", CIDR], tool_env)
        for repetition in range(options.repeat):
            for line in workloads(lab, expected, env, options, nmap_first=repetition % 2 == 1):
                print(json.dumps(line), flush=True)
    finally:
        set_firewall(lab.hosts, None)
        lab.close()
        for tool_env in env.values():
            shutil.rmtree(tool_env["CLINICSHIELD_DATA_DIR"], ignore_errors=True)
    return 0


def workloads(
    lab: Lab,
    expected: dict[str, list[int]],
    env: dict[str, dict[str, str]],
    options: argparse.Namespace,
    nmap_first: bool,
) -> list[dict[str, object]]:
    top = set(nmap_top_ports()[:1000])
    first = lab.hosts[0]
    want_top = {(a, p) for a, ports in expected.items() for p in ports if p in top}
    want_all = {(first.address, p) for p in expected[first.address]}
    top_commands = (["--ports", "top1000", CIDR], ["-sT", "-T4", CIDR])
    all_commands = (["--ports", "all", first.address], ["-sT", "-T4", "-p-", first.address])
    common = (lab, env)
    lines = [
        run_workload(
            "top",
            "top1000, 16 hosts in a /27",
            *common,
            top_commands,
            want_top,
            options,
            nmap_first,
        ),
        run_workload(
            "all", "all 65535 ports, one host", *common, all_commands, want_all, options, nmap_first
        ),
    ]
    walled = lab.hosts[1 : 1 + FIREWALLED_HOSTS]
    allow = {h.address: ", ".join(str(p) for p in expected[h.address]) for h in walled}
    set_firewall(walled, {a: f"tcp dport != {{ {ports} }} drop" for a, ports in allow.items()})
    name = f"top1000, /27, {len(walled)} hosts drop all but their services"
    lines.append(run_workload("top-fw", name, *common, top_commands, want_top, options, nmap_first))
    set_firewall(walled, None)
    set_firewall([first], {first.address: f"tcp dport {DROPPED_RANGE} drop"})
    name = f"all 65535 ports, one host dropping {DROPPED_RANGE}"
    lines.append(run_workload("all-fw", name, *common, all_commands, want_all, options, nmap_first))
    set_firewall([first], None)
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
