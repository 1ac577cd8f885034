"""Benchmark: send 10,000 personalised simulation emails to an SMTP server on loopback.

    .venv/bin/python bench/simulations_send.py [--people 10000] [--connections 8]

The SMTP server (aiosmtpd) runs in its own processes (two by default, sharing one listening
socket: a single aiosmtpd process tops out near the target on this machine) and only
counts what it receives.
The sender is the real code path (`do_send_due`: per-recipient send states written to
SQLite around each send, persistent SMTP connections). For comparison the same run times
the naive way (one `django.core.mail.send_mail` and one SMTP connection per email, over
500 emails) and the SMTP server's own ceiling (prebuilt bytes from plain smtplib threads).
Reference (reported, not run here): GoPhish users report about one email per second with
its default sending settings. Prints one JSON line.
"""

import argparse
import json
import multiprocessing
import os
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GOPHISH_DEFAULT_PER_SECOND = 1.0


class Counter:
    def __init__(self, counter: Any) -> None:
        self.counter = counter

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.counter.get_lock():
            self.counter.value += len(envelope.rcpt_tos)
        return "250 OK"


def smtp_sink(sock: socket.socket, counter: Any) -> None:
    """One aiosmtpd process serving connections from a listening socket it shares."""
    import asyncio

    from aiosmtpd.smtp import SMTP

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(Counter(counter), hostname="sink.localhost"), sock=sock
        )
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


def start_sinks(processes: int, counter: Any) -> tuple[int, list[multiprocessing.Process]]:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    context = multiprocessing.get_context("fork")
    sinks = [
        context.Process(target=smtp_sink, args=(sock, counter), daemon=True)
        for _ in range(processes)
    ]
    for sink in sinks:
        sink.start()
    return int(sock.getsockname()[1]), sinks


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def setup_django(data_dir: str) -> None:
    os.environ["CLINICSHIELD_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicshield.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def seed(people: int, port: int, connections: int) -> int:
    from clinicshield.accounts.actions import do_create_organisation, do_create_site
    from clinicshield.accounts.models import Person
    from clinicshield.simulations import actions

    org = do_create_organisation("Bench Clinic", "bench", "Europe/Madrid", "bench")
    site = do_create_site(org, "Madrid", "bench")
    Person.objects.bulk_create(
        [
            Person(
                organisation=org,
                site=site,
                name=f"Persona {n}",
                email=f"p{n}@bench.example",
                department="nurse",
                language="es" if n % 3 else "en",
            )
            for n in range(people)
        ],
        batch_size=1000,
    )
    campaign = actions.do_create_campaign(
        org,
        name="bench",
        template_key="payslip",
        targets="all",
        smtp_host="127.0.0.1",
        smtp_port=port,
        from_address="avisos@sim.example",
        connections=connections,
        base_url="https://drills.example",
        actor="bench",
    )
    return campaign.pk


def naive_rate(port: int, emails: int) -> float:
    from django.core.mail import get_connection, send_mail

    began = time.perf_counter()
    for n in range(emails):
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port
        )
        send_mail(
            "Nómina", f"Hola {n}", "a@sim.example", [f"x{n}@bench.example"], connection=connection
        )
    return emails / (time.perf_counter() - began)


def sink_ceiling(port: int, connections: int, emails: int) -> float:
    """What the SMTP server itself can take: prebuilt bytes from plain smtplib threads."""
    import smtplib
    import threading

    raw = b"From: a@sim.example\r\nTo: x@bench.example\r\nSubject: x\r\n\r\n"
    raw += (b"x" * 70 + b"\r\n") * 40

    def blast(count: int) -> None:
        with smtplib.SMTP("127.0.0.1", port) as client:
            for _ in range(count):
                client.sendmail("a@sim.example", ["x@bench.example"], raw)

    threads = [
        threading.Thread(target=blast, args=(emails // connections,)) for _ in range(connections)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return emails / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--sink-processes",
        type=int,
        default=2,
        help="aiosmtpd processes sharing the listening socket (one tops out near 520 msg/s here)",
    )
    args = parser.parse_args()
    counter = multiprocessing.Value("i", 0)
    port, sinks = start_sinks(args.sink_processes, counter)
    time.sleep(1.0)
    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        from django.utils import timezone

        from clinicshield.simulations import actions
        from clinicshield.simulations.models import Campaign, Recipient

        campaign_id = seed(args.people, port, args.connections)
        actions.do_launch_campaign(
            Campaign.objects.get(pk=campaign_id), timezone.now(), immediately=True, actor="bench"
        )
        began, cpu_began = time.perf_counter(), time.process_time()
        summary = actions.do_send_due(campaign_id, timezone.now())
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
        time.sleep(0.5)
        sent_in_db = Recipient.objects.filter(campaign_id=campaign_id, send_state="sent").count()
        received = counter.value
        naive = naive_rate(port, 500)
        ceiling = sink_ceiling(port, args.connections, 2000)
    for sink in sinks:
        sink.terminate()
    rate = summary.sent / elapsed
    print(
        json.dumps(
            {
                "bench": "simulations_send",
                "emails": args.people,
                "connections": args.connections,
                "sink_processes": args.sink_processes,
                "seconds": round(elapsed, 2),
                "emails_per_s": round(rate, 1),
                # CPU the sender process spent per email (all its threads): what the machine's load
                # from other processes cannot inflate.
                "sender_cpu_ms_per_email": round(cpu / max(summary.sent, 1) * 1000, 3),
                "received_by_server": received,
                "marked_sent": sent_in_db,
                "errors": len(summary.errors),
                "smtp_server_ceiling_per_s": round(ceiling, 1),
                "share_of_server_ceiling": round(rate / ceiling, 2),
                "naive_send_mail_per_s": round(naive, 1),
                "ratio_vs_naive": round(rate / naive, 1),
                "ratio_vs_gophish_default": round(rate / GOPHISH_DEFAULT_PER_SECOND, 1),
                "target_met": rate >= 500,
                "load_average_1m": round(os.getloadavg()[0], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
