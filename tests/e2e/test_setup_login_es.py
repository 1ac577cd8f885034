"""A new clinic in Spanish: setup, two-step sign-in enrolment, log out, log in with a TOTP code,
and the dashboard."""

import base64
from typing import Any

import pytest
from django_otp.oath import totp

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser


def code_for(secret: str, ahead_s: int = 0) -> str:
    """The authenticator app's code, for now or for a window `ahead_s` seconds later."""
    return f"{totp(base64.b32decode(secret), step=30, t0=-ahead_s, digits=6):06d}"


def test_setup_then_login_with_totp_then_dashboard_in_spanish(
    live_server: Any, browser_page: Any
) -> None:
    page = browser_page
    # (That "/" leads here on an empty install is tested in tests/accounts/test_setup.py; the
    # live server's middleware outlives this test's database, so it is not asked here.)
    page.goto(live_server.url + "/setup/")
    page.click("form.lang button[value=es]")
    assert page.locator("html").get_attribute("lang") == "es"
    page.fill("input[name=org_name]", "Clínica Sol")
    page.fill("input[name=org_slug]", "sol")
    page.fill("input[name=email]", "duena@sol.example")
    page.fill("input[name=password]", "una frase de paso larga")
    page.fill("input[name=password_again]", "una frase de paso larga")
    page.click("main button[type=submit]")
    secret = page.locator("[data-testid=totp-secret]").inner_text()
    page.fill("input[name=code]", code_for(secret))
    page.click("main button[type=submit]")
    assert page.locator("[data-testid=recovery-codes] li").count() == 10
    page.click("main a.button")
    assert "/o/sol/dashboard/" in page.url

    page.click("header form button.link")  # log out
    page.fill("input[name=email]", "duena@sol.example")
    page.fill("input[name=password]", "una frase de paso larga")
    page.click("main button[type=submit]")
    assert page.url.endswith("/accounts/verify/")
    # The code just used is spent; the next 30-second window's code is accepted already.
    page.fill("input[name=code]", code_for(secret, ahead_s=30))
    page.click("main button[type=submit]")
    page.wait_for_url("**/o/sol/dashboard/")
    nav = page.locator("nav.sections").inner_text()
    assert "Formación" in nav and "Simulaciones" in nav
    assert screenshot(page, "setup-login-dashboard-es").stat().st_size > 0
