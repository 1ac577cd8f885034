"""`clinicshield site-token`: create, list, rotate and revoke through the real entry point."""

import json
from pathlib import Path

from clinicshield.accounts.core.site_signing import SiteCredential
from tests.cli import clinicshield

MAKE_SITE = (
    "from clinicshield.accounts.actions import do_create_site; "
    "from clinicshield.accounts.models import Organisation; "
    "do_create_site(Organisation.objects.get(slug='sol'), 'Norte', 'test')"
)


def test_a_token_is_printed_once_listed_by_key_rotated_and_revoked(tmp_path: Path) -> None:
    assert clinicshield(tmp_path, "createorg", "--name", "Sol", "--slug", "sol").code == 0
    assert clinicshield(tmp_path, "shell", "-c", MAKE_SITE).code == 0
    made = clinicshield(tmp_path, "site-token", "create", "--org", "sol", "--site", "Norte")
    assert made.code == 0, made.err
    key = SiteCredential.parse(made.out.strip()).key_id
    listed = clinicshield(tmp_path, "site-token", "list", "--org", "sol", "--format", "json")
    rows = [json.loads(line) for line in listed.out.splitlines()]
    assert [(r["site"], r["key"]) for r in rows] == [("Norte", key)]
    assert made.out.strip() not in listed.out
    rotated = clinicshield(tmp_path, "site-token", "rotate", "--org", "sol", "--key", key)
    new_key = SiteCredential.parse(rotated.out.strip()).key_id
    gone = clinicshield(tmp_path, "site-token", "revoke", "--org", "sol", "--key", key)
    assert gone.code == 2 and "no live site token" in gone.err
    revoked = clinicshield(tmp_path, "site-token", "revoke", "--org", "sol", "--key", new_key)
    assert revoked.code == 0 and f"revoked {new_key}" in revoked.out
    nowhere = clinicshield(tmp_path, "site-token", "create", "--org", "sol", "--site", "Sur")
    assert nowhere.code == 2 and "no site named 'Sur'" in nowhere.err
