"""Benchmark: a burst of tracking hits against the server `make run` starts, and its peer.

    .venv/bin/python bench/simulations_tracking.py [--recipients 10000] [--clients 500]

Starts `clinicshield serve` (gunicorn and the Huey worker, SQLite in WAL mode) on a fresh
data dir holding a campaign of N recipients sent an hour ago, then drives it with wrk
(Debian's `wrk`, a C load generator, so that the client takes little of the 2 cores)
from --clients connections at once, each request timed from its write to its answer:

1. the peer: the same number of GETs of a static file served by the same server
   (WhiteNoise inside Django: the cheapest answer Django gives), before the burst;
2. the burst: one hit per recipient, half pixel loads, half clicks our page's script saw
   a person make (POST /t/<token>/h?h=1), exactly N requests (bench/simulations_tracking.lua);
3. the peer again, after, so that a change of the machine's load shows.

Then it waits for the worker to fold the hits (the hits ask for a fold; nothing here
calls it), stops serve with Ctrl-C (SIGINT), folds once more as `run-due` would, and
counts: every hit must be exactly one tracking event and have moved exactly one
recipient (zero lost, zero duplicated). Prints one JSON line with the ratio of the
burst's throughput to the peer's.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SCRIPT = Path(__file__).with_suffix(".lua")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed(recipients: int) -> list[str]:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from clinicshield.accounts.actions import do_create_organisation, do_create_site
    from clinicshield.accounts.models import Person
    from clinicshield.simulations import actions
    from clinicshield.simulations.models import Recipient

    org = do_create_organisation("Bench Clinic", "bench", "Europe/Madrid", "bench")
    site = do_create_site(org, "Madrid", "bench")
    Person.objects.bulk_create(
        [
            Person(
                organisation=org,
                site=site,
                name=f"P {n}",
                email=f"p{n}@bench.example",
                department="nurse",
                language="es",
            )
            for n in range(recipients)
        ],
        batch_size=1000,
    )
    campaign = actions.do_create_campaign(
        org,
        name="burst",
        template_key="payslip",
        targets="all",
        smtp_host="127.0.0.1",
        smtp_port=25,
        from_address="a@sim.example",
        base_url="http://127.0.0.1",
        actor="bench",
    )
    # Sent an hour ago: the clicks are not "within seconds of delivery".
    Recipient.objects.filter(campaign=campaign).update(
        send_state="sent", status="sent", sent_at=timezone.now() - timedelta(hours=1)
    )
    return list(campaign.recipients.order_by("pk").values_list("token", flat=True))


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_for_health(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                if json.loads(answer.read()).get("worker") == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("serve did not become healthy (web and worker) in time")


def run_wrk(port: int, clients: int, mode: str, source: str) -> dict[str, Any]:
    command = ["wrk", "-t1", f"-c{clients}", "-d300s", "--timeout", "30s"]
    command += ["-s", str(SCRIPT), f"http://127.0.0.1:{port}", "--", mode, source, "1"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("WRK_RESULT "))
    result: dict[str, Any] = json.loads(line.removeprefix("WRK_RESULT "))
    result["per_s"] = round(result["answered"] / result["seconds"], 1)
    return result


def timed_run(port: int, args: Any, mode: str, source: str, web: list[int]) -> dict[str, Any]:
    before = cpu_seconds(web)
    result = run_wrk(port, args.clients, mode, source)
    result["server_cpu_ms_per_request"] = round(
        (cpu_seconds(web) - before) / max(1, result["answered"]) * 1000, 3
    )
    return result


def wait_for_fold(expected: int, timeout: float) -> float:
    """Seconds until the worker has stored every hit as an event."""
    from clinicshield.simulations.actions import unfolded_bytes
    from clinicshield.simulations.models import TrackingEvent

    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if TrackingEvent.objects.count() >= expected and unfolded_bytes() == 0:
            return time.monotonic() - began
        time.sleep(0.2)
    return -1.0


def count_outcome(tokens: list[str]) -> dict[str, int]:
    from django.db.models import Count

    from clinicshield.simulations.actions import do_fold_hits
    from clinicshield.simulations.models import Recipient, TrackingEvent

    late = do_fold_hits()  # what run-due would find after the clean stop: nothing
    per_recipient = TrackingEvent.objects.values("recipient").annotate(n=Count("id"))
    events = TrackingEvent.objects.count()
    duplicated = sum(row["n"] - 1 for row in per_recipient if row["n"] > 1)
    with_event = sum(1 for row in per_recipient)
    return {
        "events_stored": events,
        "events_folded_after_stop": late.events,
        "lost": len(tokens) - with_event,
        "duplicated": duplicated,
        "opened": Recipient.objects.filter(status="opened").count(),
        "clicked": Recipient.objects.filter(status="clicked").count(),
    }


def measure(args: Any, data_dir: str) -> dict[str, Any]:
    tokens = seed(args.recipients)
    token_file = Path(data_dir) / "tokens.txt"
    token_file.write_text("\n".join(tokens) + "\n")
    port = free_port()
    log = (Path(data_dir) / "serve.log").open("w")
    env = {**os.environ, "PORT": str(port), "PYTHONPATH": str(ROOT)}
    serve = subprocess.Popen(
        [sys.executable, "-m", "clinicshield.cli", "serve", "--host", "127.0.0.1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_health(port, 120)
        web = [p for p in descendants(serve.pid) if "gunicorn" in command_line(p)]
        static = sorted((Path(data_dir) / "static").rglob("*.css"))[0]
        static_path = f"/static/{static.relative_to(Path(data_dir) / 'static')}"
        run_wrk(port, min(args.clients, 100), "path", f"{static_path} 500")  # warm up
        peer = f"{static_path} {len(tokens)}"
        peer_before = timed_run(port, args, "path", peer, web)
        burst = timed_run(port, args, "hits", str(token_file), web)
        burst_ended = time.monotonic()
        peer_after = timed_run(port, args, "path", peer, web)
        fold_wait = wait_for_fold(len(tokens), 300)
        fold_seconds = round(time.monotonic() - burst_ended, 2) if fold_wait >= 0 else None
    finally:
        os.killpg(serve.pid, signal.SIGINT)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
        log.close()
    outcome = count_outcome(tokens)
    peer_rate = (peer_before["per_s"] + peer_after["per_s"]) / 2
    return {
        "bench": "simulations_tracking",
        "hits": len(tokens),
        "clients": args.clients,
        "hits_per_s": burst["per_s"],
        "p50_ms": burst["p50_ms"],
        "p90_ms": burst["p90_ms"],
        "p99_ms": burst["p99_ms"],
        "max_ms": burst["max_ms"],
        "http_errors": burst["http_errors"],
        "socket_errors": burst["socket_errors"],
        "server_cpu_ms_per_hit": burst["server_cpu_ms_per_request"],
        "peer_static_per_s": [peer_before["per_s"], peer_after["per_s"]],
        "peer_static_p99_ms": [peer_before["p99_ms"], peer_after["p99_ms"]],
        "peer_server_cpu_ms_per_request": peer_before["server_cpu_ms_per_request"],
        "ratio_hits_to_static": round(burst["per_s"] / peer_rate, 2),
        "fold_done_after_burst_s": fold_seconds,
        **outcome,
        "serve_exit_code": serve.returncode,
        "load_average_1m": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=500, help="connections open at once")
    args = parser.parse_args()
    # Stopped from outside (timeout, Ctrl-C): still stop serve and remove the data dir.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    if shutil.which("wrk") is None:
        sys.exit("this benchmark drives the server with wrk: apt-get install wrk")
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["CLINICSHIELD_DATA_DIR"] = data_dir
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicshield.settings")
        print(json.dumps(measure(args, data_dir)))


if __name__ == "__main__":
    main()
