"""Benchmark: a burst of 10,000 concurrent opens and clicks against the production server.

    .venv/bin/python bench/simulations_tracking.py [--recipients 10000] [--workers 2]

Starts gunicorn as `make run` does (`clinicshield serve`: sync workers on SQLite in WAL
mode), seeds a campaign of N recipients already sent, then fires one request per
recipient all at once from asyncio (half open-pixel loads, half verified clicks), each on
its own connection, with at most --sockets connections open at a time (the kernel's
accept queue holds 4096 at most; latency is counted from the burst's start, so queueing
shows in it). Afterwards it counts the stored events: every request must have left
exactly one event and moved exactly one recipient (zero lost, zero duplicated).
Reference (reported, not run here): GoPhish users report 404s on tracking links at
about 6,000 targets on SQLite. Prints one JSON line.
"""

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


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
    profile = actions.do_create_sending_profile(
        org, host="127.0.0.1", port=25, from_address="a@sim.example"
    )
    campaign = actions.do_create_campaign(
        org,
        name="burst",
        template_key="payslip",
        targets="all",
        profile=profile,
        base_url="http://127.0.0.1",
        actor="bench",
    )
    # Sent an hour ago: the clicks are not "within seconds of delivery".
    Recipient.objects.filter(campaign=campaign).update(
        send_state="sent", status="sent", sent_at=timezone.now() - timedelta(hours=1)
    )
    return list(campaign.recipients.order_by("pk").values_list("token", flat=True))


async def one_request(
    port: int, index: int, token: str, gate: asyncio.Semaphore, retries: list[int]
) -> tuple[int, float]:
    if index % 2:
        request = f"POST /t/{token}/h?h=1 HTTP/1.1\r\nContent-Length: 0\r\n"
    else:
        request = f"GET /t/{token}/px.gif HTTP/1.1\r\n"
    request += f"Host: 127.0.0.1\r\nUser-Agent: {BROWSER}\r\nConnection: close\r\n\r\n"
    began = time.perf_counter()  # from the moment the burst asked for it, queueing included
    async with gate:
        for attempt in range(20):
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(request.encode())
                await writer.drain()
                status_line = await reader.readline()
                await reader.read()
                writer.close()
            except (ConnectionResetError, ConnectionRefusedError):
                # The kernel's accept queue overflowed before the server read the request;
                # a browser retries such a connection, and so do we (and count it).
                retries.append(index)
                await asyncio.sleep(0.05 * (attempt + 1))
                continue
            status = int(status_line.split()[1]) if status_line else 0
            return status, time.perf_counter() - began
    return 0, time.perf_counter() - began


async def burst(port: int, tokens: list[str], sockets: int) -> tuple[list[tuple[int, float]], int]:
    gate = asyncio.Semaphore(sockets)
    retries: list[int] = []
    results = await asyncio.gather(
        *(one_request(port, i, t, gate, retries) for i, t in enumerate(tokens))
    )
    return list(results), len(retries)


def workers_cpu_seconds(master: int) -> float:
    """User+system CPU of the gunicorn workers so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # ppid
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (serve's default)")
    parser.add_argument(
        "--sockets", type=int, default=1000, help="client connections open at once (the rest wait)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["CLINICSHIELD_DATA_DIR"] = data_dir
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicshield.settings")
        tokens = seed(args.recipients)
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "clinicshield.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--backlog",
                "2048",
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.2)
            began = time.perf_counter()
            results, retried = asyncio.run(burst(port, tokens, args.sockets))
            elapsed = time.perf_counter() - began
            server_cpu = workers_cpu_seconds(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        from django.db.models import Count

        from clinicshield.simulations.models import Recipient, TrackingEvent

        per_recipient = TrackingEvent.objects.values("recipient").annotate(n=Count("id"))
        events = TrackingEvent.objects.count()
        moved = Recipient.objects.filter(status__in=("opened", "clicked")).count()
        duplicated = sum(row["n"] - 1 for row in per_recipient if row["n"] > 1)
    latencies = [latency for _status, latency in results]
    failed = sum(1 for status, _latency in results if status not in (200, 204))
    print(
        json.dumps(
            {
                "bench": "simulations_tracking",
                "requests": len(tokens),
                "gunicorn_workers": args.workers,
                "seconds": round(elapsed, 2),
                "requests_per_s": round(len(tokens) / elapsed, 1),
                # CPU the workers spent per request (start-up included): not inflated by waiting.
                "server_cpu_ms_per_request": round(server_cpu / len(tokens) * 1000, 2),
                "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
                "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
                "max_ms": round(max(latencies) * 1000, 1),
                "client_sockets": args.sockets,
                "connection_retries": retried,
                "http_errors": failed,
                "events_stored": events,
                "lost": len(tokens) - events + duplicated,
                "duplicated": duplicated,
                "recipients_moved": moved,
                "load_average_1m": round(os.getloadavg()[0], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
