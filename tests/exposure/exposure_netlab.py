"""A throw-away network of Linux network namespaces for exposure tests and benchmarks.

Every address lives inside namespaces this module creates: a "switch" namespace holding
a bridge (the scanner's point of view, address .1) and one namespace per host, joined to
the bridge by a veth pair. Nothing is added to the caller's own namespace, so no packet
can leave the lab. `Lab.close()` removes every namespace it created, and is safe to call
twice; use the lab as a context manager so that happens even on failure.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

LISTENERS = Path(__file__).with_name("exposure_listeners.py")
_CLONE_NEWNET = 0x40000000


def netns_unavailable_reason() -> str | None:
    """Why namespace tests cannot run here, or None when they can."""
    if os.geteuid() != 0:
        return "needs root to create network namespaces"
    if shutil.which("ip") is None:
        return "needs iproute2 (`ip netns`)"
    probe = f"csprobe{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"`ip netns add` failed: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def _run(*args: str) -> None:
    done = subprocess.run(list(args), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.strip()}")


@dataclass
class Host:
    name: str  # namespace name
    address: str
    processes: list[subprocess.Popen[str]] = field(default_factory=list)

    def run(self, *args: str) -> None:
        _run("ip", "netns", "exec", self.name, *args)

    def firewall(self, table: str, rule: str) -> None:
        script = (
            f"table inet {table} {{\n chain input {{\n"
            f"  type filter hook input priority 0;\n  {rule}\n }}\n}}\n"
        )
        done = subprocess.run(
            ["ip", "netns", "exec", self.name, "nft", "-f", "-"],
            input=script,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"nft in {self.name} refused {script!r}: {done.stderr.strip()}")

    def serve(self, services: list[dict[str, object]]) -> None:
        """Start listeners inside the host (see exposure_listeners.py for the kinds)."""
        command = ["ip", "netns", "exec", self.name, sys.executable, str(LISTENERS)]
        process = subprocess.Popen(
            [*command, json.dumps(services)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.processes.append(process)
        assert process.stdout is not None and process.stderr is not None
        line = process.stdout.readline()
        if line.strip() != "ready":
            process.kill()
            raise RuntimeError(f"listeners on {self.name} did not start: {process.stderr.read()}")

    def drop(self, ports: list[int]) -> None:
        """Silently drop incoming TCP SYNs to these ports (a firewall that says nothing)."""
        port_set = ", ".join(str(p) for p in ports)
        self.firewall("labfilter", f"tcp dport {{ {port_set} }} drop")

    def count_packets(self) -> None:
        """Start counting every packet that reaches this host (see `packets_seen`)."""
        self.firewall("pktcount", "counter")

    def packets_seen(self) -> int:
        listing = subprocess.run(
            ["ip", "netns", "exec", self.name, "nft", "list", "table", "inet", "pktcount"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        found = re.search(r"counter packets (\d+)", listing)
        assert found is not None, listing
        return int(found.group(1))

    def drop_from(self, source: str) -> None:
        """Drop everything coming from `source` (a segmentation firewall)."""
        self.firewall("segfilter", f"ip saddr {source} drop")


class Lab:
    def __init__(self, tag: str, subnet: str = "10.213.7") -> None:
        self.tag = tag  # short, unique per lab: namespace and interface names derive from it
        self.subnet = subnet
        self.switch = f"{tag}-sw"
        self.hosts: list[Host] = []
        self.namespaces: list[str] = []
        self.cidr = f"{subnet}.0/24"
        self.gateway = f"{subnet}.1"

    def __enter__(self) -> Lab:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        self._add_namespace(self.switch)
        sw = ("ip", "netns", "exec", self.switch)
        _run(*sw, "ip", "link", "add", "br0", "type", "bridge")
        _run(*sw, "ip", "addr", "add", f"{self.gateway}/24", "dev", "br0")
        _run(*sw, "ip", "link", "set", "br0", "up")

    def _add_namespace(self, name: str) -> None:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)  # left from a crash
        _run("ip", "netns", "add", name)
        self.namespaces.append(name)
        _run("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up")

    def add_host(self, last_octet: int) -> Host:
        name = f"{self.tag}-h{last_octet}"
        address = f"{self.subnet}.{last_octet}"
        self._add_namespace(name)
        outside, inside = f"v{last_octet}", "eth0"
        _run(
            "ip",
            "link",
            "add",
            outside,
            "netns",
            self.switch,
            "type",
            "veth",
            "peer",
            "name",
            inside,
            "netns",
            name,
        )
        _run(
            "ip", "netns", "exec", self.switch, "ip", "link", "set", outside, "master", "br0", "up"
        )
        _run("ip", "netns", "exec", name, "ip", "addr", "add", f"{address}/24", "dev", inside)
        _run("ip", "netns", "exec", name, "ip", "link", "set", inside, "up")
        _run("ip", "netns", "exec", name, "ip", "route", "add", "default", "via", self.gateway)
        host = Host(name, address)
        self.hosts.append(host)
        return host

    def close(self) -> None:
        for host in self.hosts:
            for process in host.processes:
                process.kill()
                process.wait()
            host.processes.clear()
        for name in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
        self.namespaces.clear()

    def wait_for_links(self, seconds: float = 3.0) -> None:
        """Bridge ports need a moment before they forward (no STP: forward delay is 0)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            states = subprocess.run(
                ["ip", "netns", "exec", self.switch, "ip", "-j", "link", "show", "master", "br0"],
                capture_output=True,
                text=True,
            ).stdout
            links = json.loads(states or "[]")
            if links and all("LOWER_UP" in link.get("flags", []) for link in links):
                return
            time.sleep(0.05)

    def exec_prefix(self, namespace: str | None = None) -> list[str]:
        return ["ip", "netns", "exec", namespace or self.switch]


@contextlib.contextmanager
def inside(namespace: str) -> Iterator[None]:
    """Run the calling thread inside `namespace` (threads it starts inherit it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    with open("/proc/thread-self/ns/net") as original, open(f"/run/netns/{namespace}") as target:
        if libc.setns(target.fileno(), _CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns into {namespace} failed")
        try:
            yield
        finally:
            if libc.setns(original.fileno(), _CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "could not return to the original namespace")
