"""Secure defaults: `check --deploy` is clean with production settings, the secret key file is
private, and every page carries a Content Security Policy that allows nothing from elsewhere."""

import os
import stat
from pathlib import Path
from typing import Any

from django.test import Client

from tests.cli import clinicshield

PRODUCTION = {
    "CLINICSHIELD_SECURE_HTTPS": "1",
    "CLINICSHIELD_ALLOWED_HOSTS": "shield.clinic.example",
    "CLINICSHIELD_SECRET_KEY": "x" * 20 + "-a-long-random-production-key-" + "y" * 20,
}


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = clinicshield(tmp_path, "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.code == 0, result.err + result.out
    assert "no issues" in result.out


def test_the_generated_secret_key_is_readable_only_by_its_owner(tmp_path: Path) -> None:
    result = clinicshield(tmp_path, "check")
    assert result.code == 0, result.err
    key = tmp_path / "secret_key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert len(key.read_text().strip()) >= 50


def test_pages_carry_a_strict_content_security_policy(db: Any) -> None:
    response = Client().get("/accounts/login/", follow=True)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "http" not in policy  # no CDN or other origin anywhere
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_load_assets_only_from_this_server(client_alice: Any) -> None:
    import re

    page = client_alice.get("/o/clinic-a/people/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(not s.startswith(("http:", "https:", "//")) for s in sources)
