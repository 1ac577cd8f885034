"""Benchmark: the training due jobs for a chain's staff, through a real SMTP server.

    .venv/bin/python bench/training_due.py [--staff 2000] [--sites 20]

Seeds a throw-away SQLite database with one organisation, its sites and staff (a mix of
departments), then runs the three training jobs as `clinicshield run-due` does: onboarding
at T0 (every person gets their track and one email), a refresh round six months after they
all passed, reminders before the due date, and escalations after it. Every email goes to an
aiosmtpd server on loopback started by this script. Prints one JSON line per phase and size:
seconds, assignments or emails per second, and the ratio of time to the small run (a tenth
of the staff, same run): near 10 means the work grows linearly with the staff, as it should.
"""

import argparse
import json
import os
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEPARTMENTS = ("reception", "clinician", "nurse", "lab", "billing", "management", "it")
T0 = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.count += 1
        return "250 OK"


def setup(data_dir: str, port: int) -> None:
    os.environ["CLINICSHIELD_DATA_DIR"] = data_dir
    os.environ["CLINICSHIELD_EMAIL_HOST"] = "127.0.0.1"
    os.environ["CLINICSHIELD_EMAIL_PORT"] = str(port)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicshield.settings")
    import logging

    import django
    from django.core.management import call_command

    django.setup()
    logging.disable(logging.WARNING)
    call_command("migrate", interactive=False, verbosity=0)


def seed(slug: str, staff: int, sites: int) -> Any:
    from clinicshield.accounts.actions import do_create_organisation, do_create_site
    from clinicshield.accounts.models import Person

    org = do_create_organisation(f"Chain {slug}", slug, "Europe/Madrid", "bench")
    site_list = [do_create_site(org, f"Site {i:03d}", "bench") for i in range(sites)]
    Person.objects.bulk_create(
        Person(
            organisation=org,
            site=site_list[i % sites],
            name=f"Person {i}",
            email=f"p{i}@{slug}.example",
            department=DEPARTMENTS[i % len(DEPARTMENTS)],
            language="es" if i % 3 else "en",
        )
        for i in range(staff)
    )
    Person.objects.filter(organisation=org).update(joined_at=T0 - timedelta(days=1))
    return org


def pass_all(org: Any, at: datetime) -> None:
    from clinicshield.training.models import Assignment

    Assignment.objects.filter(organisation=org, completed_at__isnull=True).update(
        completed_at=at, score=100
    )


def timed(fn: Any, *args: Any) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def run_size(slug: str, staff: int, sites: int, sink: Sink) -> dict[str, dict[str, float]]:
    from clinicshield.training import due
    from clinicshield.training.core.schedule import add_months
    from clinicshield.training.models import Assignment

    org = seed(slug, staff, sites)
    results: dict[str, dict[str, float]] = {}

    def phase(name: str, fn: Any, now: datetime) -> None:
        before_mail = sink.count
        before_rows = Assignment.objects.filter(organisation=org).count()
        seconds = timed(fn, now)
        mails = sink.count - before_mail
        rows = Assignment.objects.filter(organisation=org).count() - before_rows
        results[name] = {"seconds": round(seconds, 3), "emails": mails, "assignments": rows}

    phase("onboarding", due.assign_onboarding_and_refreshes, T0)
    pass_all(org, T0 + timedelta(days=3))
    expires = add_months(T0 + timedelta(days=3), 6)
    phase("refresh", due.assign_onboarding_and_refreshes, expires - timedelta(days=29))
    phase("remind", due.send_reminders, expires - timedelta(days=6))
    phase("escalate", due.escalate_overdue, expires + timedelta(days=8))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=2000)
    parser.add_argument("--sites", type=int, default=20)
    args = parser.parse_args()
    from aiosmtpd.controller import Controller

    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            setup(data_dir, port)
            small = run_size("small", max(args.staff // 10, 1), args.sites, sink)
            large = run_size("large", args.staff, args.sites, sink)
    finally:
        controller.stop()
    for name, figures in large.items():
        base = small[name]["seconds"] or 1e-9
        print(
            json.dumps(
                {
                    "bench": "training_due",
                    "phase": name,
                    "staff": args.staff,
                    **figures,
                    "per_second": round(
                        max(figures["assignments"], figures["emails"]) / figures["seconds"], 1
                    )
                    if figures["seconds"]
                    else None,
                    "ratio_to_tenth": round(figures["seconds"] / base, 2),
                }
            )
        )


if __name__ == "__main__":
    main()
