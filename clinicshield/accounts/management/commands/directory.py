"""`clinicshield directory configure|list|sync`: staff from Entra ID or LDAP/AD."""

import json
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from clinicshield.accounts.cli import get_org
from clinicshield.lib.cli import (
    add_format_argument,
    emit_document,
    emit_rows,
    fail,
    from_user_error,
    parse_moment,
    refuse,
)
from clinicshield.lib.errors import UserError

from ...actions.directory import do_configure_directory, do_sync_directory, secret_path
from ...models import DirectorySource


class Command(BaseCommand):
    help = "Sync staff from a directory (Microsoft Entra ID or LDAP/Active Directory)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        configure = sub.add_parser("configure", help="create or replace a directory's settings")
        configure.add_argument("--org", required=True, help="organisation short name (slug)")
        configure.add_argument("--name", required=True, help="a short name, e.g. entra")
        configure.add_argument("--kind", required=True, choices=["graph", "ldap"])
        configure.add_argument("--every", type=int, help="minutes between syncs (default 60)")
        configure.add_argument("file", help="YAML file with the settings (no secrets)")
        listing = sub.add_parser("list", help="the organisation's directories")
        listing.add_argument("--org", required=True, help="organisation short name (slug)")
        add_format_argument(listing)
        sync = sub.add_parser("sync", help="sync the staff roster now")
        sync.add_argument("--org", required=True, help="organisation short name (slug)")
        sync.add_argument("--name", help="which directory (needed when there are several)")
        sync.add_argument("--now", help="ISO time recorded as the sync's moment (default: now)")
        sync.add_argument(
            "--accept-leavers",
            action="store_true",
            help="apply the sync even if it deactivates more people than max_leavers_percent",
        )
        add_format_argument(sync)

    def handle(self, *args: Any, **options: Any) -> None:
        org = get_org(options["org"])
        try:
            getattr(self, options["action"])(org, options)
        except UserError as error:
            raise from_user_error(error) from None

    def configure(self, org: Any, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise refuse(f"cannot read {path}: {error}") from None
        if not isinstance(config, dict):
            raise refuse(f"{path}: expected a mapping of settings")
        source = do_configure_directory(
            org, options["name"], options["kind"], config, "cli", options["every"]
        )
        self.stdout.write(
            f"directory {source.name} ({source.kind}) saved; its secret is read from "
            f"{secret_path(source)}\n"
        )

    def list(self, org: Any, options: dict[str, Any]) -> None:
        rows = [
            {
                "name": source.name,
                "kind": source.kind,
                "enabled": source.enabled,
                "every_minutes": source.sync_every_minutes,
                "last_sync": source.last_sync_at,
                "last_result": "failed"
                if source.last_result.get("failed")
                else "ok"
                if source.last_result
                else "",
                "people": source.links.count(),
            }
            for source in org.directory_sources.all()
        ]
        emit_rows(self.stdout, rows, options["format"])

    def sync(self, org: Any, options: dict[str, Any]) -> None:
        sources = list(org.directory_sources.all())
        if options["name"]:
            sources = [s for s in sources if s.name == options["name"]]
        if not sources:
            raise refuse(
                f"{org.slug} has no directory{' ' + options['name'] if options['name'] else ''}"
            )
        if len(sources) > 1:
            names = ", ".join(s.name for s in sources)
            raise refuse(f"{org.slug} has several directories ({names}): choose one with --name")
        source: DirectorySource = sources[0]
        now = parse_moment(options["now"]) if options["now"] else timezone.now()
        result = do_sync_directory(source, "cli", now=now, accept_leavers=options["accept_leavers"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2) + "\n")
        else:
            summary = {k: v for k, v in result.as_dict().items() if k not in ("errors", "failed")}
            summary["errors"] = len(result.errors)
            emit_document(self.stdout, summary, "table")
            for problem in result.errors:
                value = f" ({problem['value']})" if problem["value"] else ""
                self.stderr.write(f"{problem['record']}: {problem['reason']}{value}")
        if result.failed:
            raise fail(f"directory {source.name}: {result.failed}")
