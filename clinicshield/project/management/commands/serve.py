"""`clinicshield serve`: what `make run` starts. A production WSGI server (gunicorn), the
background worker (Huey) and, when configured, the syslog receiver and one log follower
(`ingest --follow`) per organisation, stopped together on Ctrl-C."""

import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinicshield.accounts.models import Organisation
from clinicshield.lib.cli import refuse
from clinicshield.lib.errors import UserError

STOP_GRACE_S = 10
# Threads per web worker, so that 500 clients at once keep both cores busy: a bare WSGI
# app behind 2 workers answered wrk's 500 connections at 1,200 requests/s with 4 threads
# each and 3,900 with 32 (2 cores, loaded; docs/benchmarks.md).
WEB_THREADS = 32


def followed_files(pairs: list[str]) -> dict[str, list[str]]:
    """``["sol:/var/log/auth.log", ...]`` grouped by organisation; a pair without an
    organisation or a path is refused by name."""
    files: dict[str, list[str]] = {}
    for pair in pairs:
        org, _, path = pair.partition(":")
        if not org.strip() or not path.strip():
            raise CommandError(
                f"CLINICSHIELD_MONITORING_FOLLOW: {pair!r} is not ORG:PATH "
                "(e.g. sol:/var/log/auth.log)"
            )
        files.setdefault(org.strip(), []).append(path.strip())
    return files


def syslog_organisation() -> str:
    """The slug of the organisation the syslog receiver stores for: CLINICSHIELD_SYSLOG_ORG,
    or the only organisation there is. Anything else is refused before anything starts,
    naming the setting: a receiver that guessed would file one clinic's logs under
    another's name."""
    slug = settings.SYSLOG_ORG.strip()
    if slug:
        if not Organisation.objects.filter(slug=slug).exists():
            raise refuse(f"CLINICSHIELD_SYSLOG_ORG: no organisation with short name {slug!r}")
        return slug
    slugs = list(Organisation.objects.order_by("slug").values_list("slug", flat=True)[:6])
    if len(slugs) == 1:
        return slugs[0]
    if not slugs:
        raise refuse(
            "the syslog receiver (CLINICSHIELD_SYSLOG_ENABLED) stores what it receives for an "
            "organisation, and there is none yet: create one (clinicshield createorg), or set "
            "CLINICSHIELD_SYSLOG_ENABLED=0"
        )
    named = ", ".join(slugs[:5]) + (", ..." if len(slugs) > 5 else "")
    raise refuse(
        "the syslog receiver stores what it receives for one organisation: set "
        f"CLINICSHIELD_SYSLOG_ORG to its short name (one of {named})"
    )


def check_geoip(slugs: list[str]) -> None:
    """Refuse at start a GeoIP setting the receiver and the followers could not open,
    rather than start them and watch them stop."""
    from clinicshield.monitoring.actions import geo_lookup

    for org in Organisation.objects.filter(slug__in=slugs):
        try:
            geo_lookup(org).close()
        except UserError as error:
            raise refuse(str(error.message)) from None


class Command(BaseCommand):
    help = (
        "Start the web server, the background worker, and the syslog receiver and log "
        "followers when configured."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("CLINICSHIELD_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--web-workers", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        receiver = settings.SYSLOG_ENABLED and "syslog" in get_commands()
        syslog_org = syslog_organisation() if receiver else ""
        followed = followed_files(settings.MONITORING_FOLLOW)
        check_geoip([*followed, syslog_org] if syslog_org else list(followed))
        call_command("collectstatic", interactive=False, verbosity=0)
        python = sys.executable
        commands = {
            "web": [
                python,
                "-m",
                "gunicorn",
                "clinicshield.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                "--workers",
                str(options["web_workers"]),
                # Threads, not one request at a time per process: a sync worker is held by
                # any slow or idle keep-alive client, and 500 clients at once (a campaign's
                # tracking burst) would wait on each other. Idle connections wait in the
                # worker's poller, not in a thread.
                "--worker-class",
                "gthread",
                "--threads",
                str(WEB_THREADS),
                "--access-logfile",
                "-",
                # Tracking hits are lines of the hit log already: not written twice.
                "--logger-class",
                "clinicshield.simulations.gunicorn_logging.QuietTrackingLogger",
                "--graceful-timeout",
                str(STOP_GRACE_S),
            ],
            "worker": [python, "-m", "clinicshield.cli", "run_huey", "--workers", "2"],
        }
        if receiver:
            listen = ["--bind", settings.SYSLOG_BIND, "--port", str(settings.SYSLOG_PORT)]
            syslog = ["syslog", "--org", syslog_org, *listen]
            commands["syslog"] = [python, "-m", "clinicshield.cli", *syslog]
        for org, paths in followed.items():
            follow = ["ingest", *paths, "--org", org, "--follow", "--output", "json"]
            commands[f"follow-{org}"] = [python, "-m", "clinicshield.cli", *follow]
        children = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"ClinicShield is running at {url} ({', '.join(children)}); Ctrl-C stops")
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        failed = None
        while not stopping and failed is None:
            time.sleep(0.5)
            failed = next((n for n, p in children.items() if p.poll() is not None), None)
        for process in children.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for process in children.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        if failed and not stopping:
            self.stderr.write(f"{failed} stopped unexpectedly; stopped the rest")
            sys.exit(1)
        self.stdout.write("stopped")
