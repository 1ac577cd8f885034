"""Processes of bench/chain_simulation.py watched from outside: the central server, and
the commands it times (``detect``, the dashboard).

A process tree is sampled every half second from /proc: CPU seconds of every process
that belongs to it (a Spark driver's JVM is a grandchild that ``wait4`` never reports),
each process's peak resident memory, and the peak of their sum.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from chain_sensors import environment

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


class ProcessTree(threading.Thread):
    def __init__(self, root: int, every: float = 0.5) -> None:
        super().__init__(name="sampler", daemon=True)
        self.root, self.every = root, every
        self.cpu_ticks: dict[int, int] = {}  # utime + stime, as last seen
        self.peak_kib: dict[int, int] = {}  # VmHWM, as last seen
        self.peak_total_kib = 0
        self.done = threading.Event()
        self.lock = threading.Lock()

    def members(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parents[int(entry.name)] = int(_stat(int(entry.name))[1])
                except (OSError, IndexError):
                    continue
        tree, grew = {self.root}, True
        while grew:
            found = {pid for pid, parent in parents.items() if parent in tree} - tree
            tree |= found
            grew = bool(found)
        return sorted(tree)

    def sample(self) -> None:
        total = 0
        for pid in self.members():
            try:
                ticks = sum(int(v) for v in _stat(pid)[11:13])
                status = Path(f"/proc/{pid}/status").read_text().splitlines()
            except (OSError, IndexError):
                continue  # gone meanwhile: its last sample stands
            memory = {line.split(":")[0]: int(line.split()[1]) for line in status if "kB" in line}
            with self.lock:
                self.cpu_ticks[pid] = ticks
                self.peak_kib[pid] = memory.get("VmHWM", 0)
            total += memory.get("VmRSS", 0)
        self.peak_total_kib = max(self.peak_total_kib, total)

    def run(self) -> None:
        while not self.done.wait(self.every):
            self.sample()

    def cpu_seconds(self) -> float:
        self.sample()
        with self.lock:
            return sum(self.cpu_ticks.values()) / TICK

    def memory_mib(self) -> dict[str, int]:
        with self.lock:
            largest = max(self.peak_kib.values(), default=0)
        return {"largest_process": round(largest / 1024), "all": round(self.peak_total_kib / 1024)}


class Central:
    """``clinicshield serve`` on a free loopback port, its processes sampled."""

    def __init__(self, data_dir: Path, workers: int) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = start_central(data_dir, self.port, workers)
        # /proc's CPU times are cumulative: sampling from here still counts the start-up.
        self.tree = ProcessTree(self.process.pid)
        self.tree.start()

    def stop(self) -> None:
        self.tree.done.set()
        os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(60)


def start_central(data_dir: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    """``clinicshield serve`` of ``data_dir`` on a loopback port, once it answers."""
    command = [sys.executable, "-m", "clinicshield.cli", "serve", "--port", str(port)]
    log = open(data_dir / "serve.log", "ab")  # noqa: SIM115 - the child keeps it
    central = subprocess.Popen(
        [*command, "--web-workers", str(workers)],
        env=environment(data_dir),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return central
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the central server did not answer in 3 minutes")


def cli(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """A clinicshield command of ``data_dir`` (``env`` added); its output, or the bench stops."""
    command = [sys.executable, "-m", "clinicshield.cli", *args]
    done = subprocess.run(
        command, env={**environment(data_dir), **(env or {})}, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"clinicshield {' '.join(args[:2])} failed: {done.stderr[-3000:]}")
    return done.stdout


def measured(command: list[str], env: dict[str, str], log: Path) -> dict[str, Any]:
    """Run a command with its output in ``log``: exit code, wall and CPU seconds (every
    process it started), the peak memory of its largest process and of all together."""
    began = time.perf_counter()
    with open(log, "wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        tree = ProcessTree(process.pid)
        tree.start()
        code = process.wait()
        tree.done.set()
    memory = tree.memory_mib()
    return {
        "code": code,
        "wall_s": round(time.perf_counter() - began, 1),
        "cpu_s": round(sum(tree.cpu_ticks.values()) / TICK, 1),
        "peak_rss_mib": memory["largest_process"],
        "peak_rss_all_mib": memory["all"],
    }
