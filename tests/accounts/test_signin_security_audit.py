"""Audit of the product's own sign-in: every page of an organisation asks an owner or IT
member for the second factor and a password alone reaches nothing; the second factor cannot
be removed or replaced without it; sessions change id at sign-in, die at logout and at a new
password; cookies are secure over HTTPS. (Guessing limits: test_signin_throttle.py.)"""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from clinicshield.accounts.models import Organisation
from tests.conftest import make_user


def _org_routes() -> list[str]:
    """Every URL under /o/<org_slug>/, with its other arguments filled with harmless values."""
    routes: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                routes.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    filled = []
    for route in routes:
        if not route.startswith("o/<slug:org_slug>/"):
            continue
        url = route.replace("<slug:org_slug>", "clinic-a")
        url = re.sub(r"<int:[a-z_]+>", "1", url)
        url = re.sub(r"<(?:str|slug|uuid|path):[a-z_]+>", "x", url)
        url = re.sub(r"<[a-z_]+>", "x", url)
        filled.append("/" + url.lstrip("^").rstrip("$"))
    return filled


ORG_ROUTES = _org_routes()


def test_the_sweep_sees_every_kind_of_page() -> None:
    assert len(ORG_ROUTES) > 50
    assert any("export" in url for url in ORG_ROUTES)


@pytest.mark.parametrize("role", ["owner", "it"])
def test_a_password_only_admin_session_reaches_no_organisation_page(
    org_a: Organisation, role: str
) -> None:
    """An owner or IT member signed in without a verified device (enrolled or not) is sent to
    the second factor on every page, partial, export and action, GET or POST, HTMX or not."""
    enrolled = make_user(org_a, f"{role}-enrolled@a.example", role, with_totp=True)
    fresh = make_user(org_a, f"{role}-fresh@a.example", role, with_totp=False)
    for user in (enrolled, fresh):
        client = Client()
        client.force_login(user)  # a session with the password step only
        for url in ORG_ROUTES:
            for method in ("get", "post"):
                for headers in ({}, {"HX-Request": "true"}):
                    response = getattr(client, method)(url, headers=headers)
                    assert response.status_code == 302, (user.email, method, url, response)
                    assert response["Location"] == "/accounts/mfa/", (method, url)


def test_an_enrolled_admin_without_the_code_cannot_re_enrol_or_mint_recovery_codes(
    alice: Any,
) -> None:
    """The authenticator page with a password-only session logs out and keeps the device; the
    recovery codes need a verified session."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(alice)
    assert client.post("/accounts/mfa/recovery-codes/")["Location"] == "/accounts/mfa/"
    assert client.get("/accounts/mfa/")["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert TOTPDevice.objects.filter(user=alice, confirmed=True).count() == 1


def test_re_enrolling_keeps_the_old_device_until_a_new_code_is_confirmed(
    client_alice: Client, alice: Any
) -> None:
    """No page removes the last device: a new one replaces it only once it has proved itself."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    old = TOTPDevice.objects.get(user=alice, confirmed=True)
    assert client_alice.get("/accounts/mfa/").status_code == 200
    client_alice.post("/accounts/mfa/", {"code": "not-a-code"})
    assert list(TOTPDevice.objects.filter(user=alice, confirmed=True)) == [old]


def _session_key(client: Client) -> str:
    return client.cookies["sessionid"].value


def test_the_session_key_changes_at_sign_in_and_at_the_second_factor(alice: Any, bob: Any) -> None:
    """A session id planted before sign-in (session fixation) is worth nothing after it."""
    from tests.conftest import PASSWORD, current_code

    viewer = Client()
    planted = viewer.session.session_key  # a saved session whose id the "attacker" knows
    viewer.post("/accounts/login/", {"email": bob.email, "password": PASSWORD})
    assert _session_key(viewer) != planted

    owner = Client()
    owner.post("/accounts/login/", {"email": alice.email, "password": PASSWORD})
    after_password = _session_key(owner)
    assert owner.post("/accounts/verify/", {"code": current_code(alice)}).status_code == 302
    assert _session_key(owner) != after_password
    stale = Client()
    stale.cookies["sessionid"] = after_password
    assert stale.get("/o/clinic-a/people/").status_code == 302


def test_logout_ends_the_session_on_the_server_not_only_in_the_browser(
    client_alice: Client,
) -> None:
    copied = Client()
    copied.cookies["sessionid"] = _session_key(client_alice)
    assert copied.get("/o/clinic-a/people/").status_code == 200
    client_alice.post("/accounts/logout/")
    assert copied.get("/o/clinic-a/people/").status_code == 302


def test_a_new_password_ends_the_other_sessions(client_alice: Client, alice: Any) -> None:
    from clinicshield.accounts.actions import do_set_password

    assert client_alice.get("/o/clinic-a/people/").status_code == 200
    do_set_password(alice, "a different long passphrase")
    response = client_alice.get("/o/clinic-a/people/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_cookies_are_secure_http_only_and_same_site_over_https(tmp_path: Any) -> None:
    """What the served settings are (the real entry point, with and without HTTPS)."""
    from tests.cli import clinicshield
    from tests.test_security_settings import PRODUCTION

    https = clinicshield(tmp_path / "https", "diffsettings", "--all", env=PRODUCTION)
    assert https.code == 0, https.err
    for line in (
        "SESSION_COOKIE_SECURE = True",
        "CSRF_COOKIE_SECURE = True",
        "SESSION_COOKIE_HTTPONLY = True",
        "SESSION_COOKIE_SAMESITE = 'Lax'",
        "CSRF_COOKIE_SAMESITE = 'Lax'",
        "SECURE_SSL_REDIRECT = True",
        "SESSION_ENGINE = 'django.contrib.sessions.backends.db'",  # logout deletes the row
    ):
        assert line in https.out, line
    plain = clinicshield(tmp_path / "http", "diffsettings")
    assert "SESSION_COOKIE_SECURE" not in plain.out  # plain HTTP on the LAN still signs in
