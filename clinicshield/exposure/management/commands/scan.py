"""`clinicshield scan TARGET... --org SLUG`: scan registered networks for open ports.

Prints one object per open port (host, port, proto, service, risk, advice, change) and a
summary. Targets outside the organisation's registered networks are refused (exit 2)
before a single packet is sent. `--import FILE.xml` records an nmap -oX file instead.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicshield.accounts.cli import get_org
from clinicshield.lib.cli import (
    add_format_argument,
    emit_rows,
    fail,
    from_user_error,
    progress_bar,
    refuse,
)
from clinicshield.lib.errors import UserError

from ...actions import do_import_nmap_xml, do_run_scan, do_start_scan
from ...models import Scan
from ...queries import findings_of
from ...words import finding_row

COLUMNS = ["host", "port", "proto", "service", "risk", "change", "advice"]


def _nmap_available() -> str | None:
    from ...core.nmap_xml import nmap_available  # nmap's XML reader only for --nmap

    return nmap_available()


class Command(BaseCommand):
    help = "Scan registered networks for open ports, or import an nmap XML file."
    # Start-up time matters for a scanner run by cron and sensors: skip the URL checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("targets", nargs="*", help="addresses, CIDR blocks or ranges")
        parser.add_argument("--org", required=True, help="organisation short name (slug)")
        parser.add_argument(
            "--ports",
            default="clinic",
            help="clinic (default), top1000, top100, all, or a list such as 22,80,8000-8100",
        )
        parser.add_argument(
            "--import",
            dest="import_file",
            metavar="FILE.xml",
            help="record an nmap -oX file instead of scanning",
        )
        parser.add_argument(
            "--from-zone",
            default="",
            help="the zone this scan runs from (raises risk when it is guest)",
        )
        parser.add_argument("--nmap", action="store_true", help="drive nmap instead of our scanner")
        parser.add_argument(
            "--concurrency",
            type=int,
            default=1024,
            help="connections in flight at once (default 1024)",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=1.0,
            help="seconds before a silent port counts as filtered (default 1)",
        )
        add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        org = get_org(options["org"])
        try:
            if options["import_file"]:
                scans = self.import_file(org, options["import_file"])
            else:
                scans = self.scan(org, options)
        except UserError as error:
            raise from_user_error(error) from None
        self.report(scans, options["format"])

    def import_file(self, org: Any, path: str) -> list[Scan]:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise refuse(f"cannot read {path}: {error.strerror}") from None
        result = do_import_nmap_xml(org, data, path, "cli")
        if result.ignored_hosts:
            self.stderr.write(
                f"ignored {len(result.ignored_hosts)} host(s) outside registered networks: "
                + " ".join(result.ignored_hosts[:10])
            )
        return result.scans

    def scan(self, org: Any, options: dict[str, Any]) -> list[Scan]:
        if not options["targets"]:
            raise refuse("give at least one target (address, CIDR or range), or --import FILE")
        if options["nmap"] and not _nmap_available():
            raise refuse("--nmap needs nmap installed (Debian package nmap)")
        if options["concurrency"] < 1 or options["timeout"] <= 0:
            raise refuse("--concurrency and --timeout must be positive")
        # Run here and now, with a progress bar: nothing is queued for a worker.
        scans = do_start_scan(
            org,
            options["targets"],
            options["ports"],
            "cli",
            options["from_zone"],
            in_background=False,
        )
        for scan in scans:
            bar = progress_bar(None, desc=f"scanning {scan.network.cidr}", unit="probe")

            def advance(done: int, total: int, bar: Any = bar) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            try:
                do_run_scan(
                    scan,
                    use_nmap=options["nmap"],
                    concurrency=options["concurrency"],
                    timeout=options["timeout"],
                    on_progress=advance,
                )
            except Exception as error:
                raise fail(f"scan of {scan.network.cidr} failed: {error}") from error
            finally:
                bar.close()
        return scans

    def report(self, scans: list[Scan], fmt: str) -> None:
        findings = findings_of(scans).order_by("scan_id", "address", "port")
        rows = [finding_row(f) for f in findings]
        emit_rows(self.stdout, rows, fmt, COLUMNS)
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["risk"]] = counts.get(row["risk"], 0) + 1
        summary = {
            "scans": [s.pk for s in scans],
            "networks": [s.network.cidr for s in scans],
            "hosts_up": sum(len(s.hosts_up) for s in scans),
            "open_ports": len(rows),
            "new": sum(1 for r in rows if r["change"] == "new"),
            "by_risk": counts,
            "changes": sum(s.changes.count() for s in scans),
        }
        if fmt == "json":
            self.stdout.write(json.dumps({"summary": summary}, ensure_ascii=False))
        else:
            self.stdout.write(
                f"{summary['hosts_up']} host(s) up, {summary['open_ports']} open port(s), "
                f"{summary['new']} new, {summary['changes']} change(s) since the previous scan"
            )
