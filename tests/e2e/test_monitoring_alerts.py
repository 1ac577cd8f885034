"""An owner follows a real brute-force alert in the browser: the list, a filter, the alert
with its sentence and the log lines behind it, acknowledging it, and the person's profile.

The alert comes from the real pipeline: the public Linux auth log sample is ingested and
the detectors run over it, as `clinicshield ingest` and `clinicshield detect` would."""

from datetime import UTC, datetime
from typing import Any

import pytest
from django.utils import translation

from clinicshield.monitoring.actions import do_ingest_files, do_run_detection
from clinicshield.monitoring.models import Alert
from clinicshield.monitoring.words import render
from tests.conftest import PASSWORD, SHARED_DATA, current_code
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base_url: str, user: Any) -> None:
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.fill("input[name=code]", current_code(user))
    page.click("main button[type=submit]")
    page.wait_for_url("**/o/**")


def test_an_owner_follows_a_brute_force_alert_to_its_log_lines(
    live_server: Any, browser_page: Any, org_a: Any, alice: Any
) -> None:
    do_ingest_files(org_a, [SHARED_DATA / "linux" / "Linux_2k.log"], "syslog", year=2005)
    do_run_detection(
        org_a, datetime(2005, 8, 1, tzinfo=UTC), start=datetime(2005, 6, 1, tzinfo=UTC)
    )
    alert = Alert.objects.filter(organisation=org_a, kind="brute_force").order_by("-count")[0]
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    sign_in(page, live_server.url, alice)
    page.goto(f"{live_server.url}/o/{org_a.slug}/monitoring/alerts/")
    page.select_option("select[name=kind]", "brute_force")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**kind=brute_force**")
    rows = page.locator("table tbody tr")
    assert rows.count() == Alert.objects.filter(organisation=org_a, kind="brute_force").count()

    page.click(f"a[href$='/monitoring/alerts/{alert.pk}/']")
    with translation.override("es"):  # the browser asks for Spanish (es-ES)
        expected = render(alert.code, alert.params)
    assert page.locator("p.explanation").inner_text() == expected
    assert "fallidos" in expected  # really the Spanish sentence
    events = page.locator("table tbody tr")
    assert events.count() >= 1
    assert "combo" in events.first.inner_text()  # the host of the sample's lines

    page.click("form[action$='/acknowledge/'] button")
    page.wait_for_load_state()
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.status_changed_by == alice.email
    assert page.locator("form[action$='/acknowledge/']").count() == 0

    page.click(f"a[href$='/monitoring/people/{alert.user}/']")
    assert page.locator("svg.heatmap rect").count() == 7 * 24
    assert screenshot(page, "monitoring-person-profile").stat().st_size > 0
    assert errors == []  # no script or Content-Security-Policy errors on any page
