"""The dashboard in Debian's Chromium, in English and in Spanish, with screenshots kept."""

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import log_in
from tests.dashboard.builders import seed_known
from tests.e2e.conftest import browser_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["browser_page"]


def test_the_owner_reads_the_dashboard_in_english_and_spanish(
    live_server: Any, browser_page: Any, org_a: Any, alice: Any
) -> None:
    seed_known(org_a, now=timezone.now())  # the page measures at the real clock
    client = log_in(Client(), alice)
    page = browser_page
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(live_server.url + "/")
    page.wait_for_url("**/o/clinic-a/dashboard/")
    page.click("form.lang button[value=en]")
    total = int(page.locator("[data-testid=score-total]").inner_text())
    assert 0 < total < 100
    actions = page.locator("[data-testid=next-actions] li")
    assert actions.count() >= 3
    assert "10.1.2.20" in page.locator("[data-testid=next-actions]").inner_text()
    assert page.locator("figure.trend-figure svg").count() == 1
    assert page.locator("[data-testid=sites] tbody tr").count() == 2
    assert screenshot(page, "dashboard-en").stat().st_size > 10_000

    page.click("form.lang button[value=es]")
    assert page.locator("html").get_attribute("lang") == "es"
    assert "Formación" in page.locator("nav.sections").inner_text()
    assert int(page.locator("[data-testid=score-total]").inner_text()) == total
    assert screenshot(page, "dashboard-es").stat().st_size > 10_000

    with page.expect_download() as download:
        page.click("a[href*='report.pdf']")
    assert download.value.suggested_filename.startswith("clinic-a-report-")
