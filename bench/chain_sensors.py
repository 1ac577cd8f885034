"""Sending the simulated chain's sites through site sensors (bench/chain_simulation.py).

2,600 sensor processes do not fit a 2-core machine, so two kinds of runs share the sites:

- ``run_cli``: a sample of sites, each through a real ``clinicshield sensor --once``
  process (its own token file and spool), one after the other: what one site's sensor
  costs, start-up included;
- ``run_workers``: the other sites, spread over N worker processes; each worker runs the
  sensor itself (``clinicshield.sensor.core.runner.Sensor``, the code ``clinicshield sensor
  --once`` runs after parsing its options) for each of its sites in turn, with that site's
  token and spool. What a worker saves is the interpreter and Django start-up of a process
  per site; every batch still goes through the spool, the signed HTTP request and the
  central server's API, as from a site.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def environment(data_dir: Path) -> dict[str, str]:
    """A clinicshield process of ``data_dir``, with the IP ranges cache beside it (built once
    and shared by every data dir of a bench, as on a box where it is built on first use)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICSHIELD_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["CLINICSHIELD_DATA_DIR"] = str(data_dir)
    env["CLINICSHIELD_CACHE_DIR"] = str(data_dir.parent / "cache")
    return env


def job(site: int, token: str, files: tuple[Path, Path], folder: Path) -> dict[str, Any]:
    signins, flows = files
    return {
        "site": site,
        "token": token,
        "follow": [[str(signins), "entra"], [str(flows), "zeek"]],
        "spool": str(folder / "spool"),
    }


def run_cli(url: str, jobs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each job through its own ``clinicshield sensor --once`` process, one at a time."""
    walls, cpus = [], []
    for item in jobs:
        home = Path(item["spool"]).parent
        token_file = home / "site.token"
        token_file.write_text(item["token"])
        token_file.chmod(0o600)
        follow = ",".join(f"{fmt}:{path}" for path, fmt in item["follow"])
        command = [sys.executable, "-m", "clinicshield.cli", "sensor", "--server", url]
        command += ["--token-file", str(token_file), "--spool", item["spool"]]
        command += ["--follow", follow, "--name", "pc", "--once"]
        began = time.perf_counter()
        process = subprocess.Popen(
            command, env=environment(home), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _pid, code, usage = os.wait4(process.pid, 0)
        walls.append(time.perf_counter() - began)
        cpus.append(usage.ru_utime + usage.ru_stime)
        if code:
            message = process.stderr.read().decode() if process.stderr else ""
            raise SystemExit(f"clinicshield sensor for site {item['site']} failed: {message}")
    return {
        "sites": len(jobs),
        "seconds": round(sum(walls), 2),
        "wall_per_site_s": round(sum(walls) / max(1, len(walls)), 3),
        "cpu_per_site_s": round(sum(cpus) / max(1, len(cpus)), 3),
    }


def run_workers(url: str, jobs: list[dict[str, Any]], processes: int, folder: Path) -> Any:
    """The jobs spread over ``processes`` workers started at once; returns their reports."""
    workers = []
    for number in range(processes):
        share = jobs[number::processes]
        if not share:
            continue
        listing = folder / f"worker{number}.json"
        listing.write_text(json.dumps(share))
        command = [sys.executable, __file__, url, str(listing)]
        workers.append(
            subprocess.Popen(command, env=environment(folder), stdout=subprocess.PIPE, text=True)
        )
    reports, cpu = [], 0.0
    for worker in workers:
        _pid, code, usage = os.wait4(worker.pid, 0)
        out = worker.stdout.read() if worker.stdout else ""
        if code:
            raise SystemExit(f"a sensor worker failed (exit {code}): {out[-2000:]}")
        reports.append(json.loads(out.strip().splitlines()[-1]))
        cpu += usage.ru_utime + usage.ru_stime
    return reports, cpu


def worker(url: str, listing: Path) -> None:
    """Child process: the sensor of each listed site in turn (see the module's text)."""
    sys.path.insert(0, str(ROOT))
    from clinicshield.accounts.core.site_signing import SiteCredential
    from clinicshield.sensor.core.client import CentralServer
    from clinicshield.sensor.core.runner import Sensor, SensorConfig
    from clinicshield.sensor.core.spool import Spool
    from clinicshield.sensor.core.status import Status

    sent, batches, began = 0, 0, time.perf_counter()
    for item in json.loads(listing.read_text()):
        config = SensorConfig(
            name="pc",
            version="bench",
            follows=[(Path(path), fmt) for path, fmt in item["follow"]],
            once=True,
        )
        server = CentralServer(url, SiteCredential.parse(item["token"]))
        status = Status(io.StringIO(), sys.stderr)
        code = Sensor(config, server, Spool(Path(item["spool"]), 1024**3), status).run()
        if code or status.held_batches:
            raise SystemExit(f"site {item['site']}: exit {code}, {status.last_error}")
        sent, batches = sent + status.sent_lines, batches + status.sent_batches
    seconds = round(time.perf_counter() - began, 2)
    print(json.dumps({"lines": sent, "batches": batches, "seconds": seconds}))


if __name__ == "__main__":
    worker(sys.argv[1], Path(sys.argv[2]))
