"""`clinicshield site-token create|rotate|revoke|list --org SLUG ...`: site sensors' tokens
from the command line, for provisioning many sites by script (the site page does the same)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicshield.accounts.actions import (
    do_create_site_token,
    do_revoke_site_token,
    do_rotate_site_token,
)
from clinicshield.accounts.cli import get_org
from clinicshield.accounts.models import Site, SiteToken
from clinicshield.accounts.queries import live_site_tokens
from clinicshield.lib.cli import add_format_argument, add_org_argument, emit_rows, refuse


class Command(BaseCommand):
    help = (
        "Create, rotate, revoke or list the tokens of site sensors. A new token is printed "
        "once, alone on standard output: only its seed is kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "rotate", "revoke", "list"])
        add_org_argument(parser)
        parser.add_argument("--site", help="the site's name (create, list)")
        parser.add_argument("--name", default="sensor", help="the token's name (create)")
        parser.add_argument("--key", help="the token's key id (rotate, revoke)")
        add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        org = get_org(options["org"])
        action = options["action"]
        if action == "create":
            site = self._site(org, options["site"])
            self.stdout.write(do_create_site_token(site, options["name"], "cli"))
        elif action in ("rotate", "revoke"):
            token = self._token(org, options["key"])
            if action == "rotate":
                self.stdout.write(do_rotate_site_token(token, "cli"))
            else:
                do_revoke_site_token(token, "cli")
                self.stdout.write(f"revoked {token.key_id} ({token.site.name}: {token.name})")
        else:
            only = self._site(org, options["site"]) if options["site"] else None
            tokens = live_site_tokens(org, only)
            rows = [
                {
                    "site": t.site.name,
                    "name": t.name,
                    "key": t.key_id,
                    "created": t.created_at.isoformat(timespec="seconds"),
                    "last_used": t.last_used_at.isoformat(timespec="seconds")
                    if t.last_used_at
                    else None,
                }
                for t in tokens
            ]
            emit_rows(self.stdout, rows, options["format"])

    def _site(self, org: Any, name: str | None) -> Site:
        if not name:
            raise refuse("give --site NAME")
        site = Site.objects.filter(organisation=org, name=name).first()
        if site is None:
            raise refuse(f"no site named {name!r} in {org.slug}")
        return site

    def _token(self, org: Any, key: str | None) -> SiteToken:
        if not key:
            raise refuse("give --key KEY_ID (see: clinicshield site-token list)")
        token = live_site_tokens(org).filter(key_id=key)
        found = token.select_related("organisation").first()
        if found is None:
            raise refuse(f"no live site token with key {key!r} in {org.slug}")
        return found
