"""A facilitator runs a drill in headless Chromium while a participant answers from a phone."""

import re
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_facilitator_runs_a_drill_to_its_after_action_report(
    transactional_db: Any, live_server: Any, settings: Any, client_alice: Client, browser: Any
) -> None:
    settings.SITE_URL = live_server.url
    desk = browser.new_context()
    desk.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client_alice.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = desk.new_page()
    page.goto(f"{live_server.url}/o/clinic-a/readiness/drills/")
    page.select_option("select[name=scenario]", "lost-laptop")
    page.select_option("select[name=language]", "en")
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("#drill-clock")
    expect(page.locator("#drill-clock")).not_to_have_text("00:00", timeout=5_000)  # JS runs

    phone = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    phone.goto(page.get_attribute("#participant-link", "href"))
    assert "has not started yet" in phone.content()

    page.click("#next-inject")
    page.wait_for_selector("#inject-mentioned")
    phone.wait_for_selector("#current-inject", timeout=15_000)  # htmx poll reloads the phone
    form = phone.locator("form.answer-form").first
    form.locator("input[name=participant]").fill("Laura")
    form.locator("textarea[name=text]").fill("Tell IT now and list what was in the bag")
    form.get_by_role("button").click()
    phone.wait_for_selector("text=Answer sent")

    page.wait_for_selector("#answers >> text=Laura", timeout=15_000)  # facilitator's poll
    decision = page.locator("#q-q-reception")
    decision.locator("input[value=report-it]").check()
    decision.locator("input[value=list-contents]").check()
    decision.get_by_role("button").click()
    page.wait_for_selector("#inject-mentioned")
    assert page.locator("#q-q-reception input[value=report-it]").is_checked()
    for inject in ("device-status", "breach-call", "never-again"):
        page.click("#next-inject")
        page.wait_for_selector(f"#inject-{inject}")

    page.click("#finish-drill")
    page.fill("textarea[name=went_well]", "Reception reported within minutes")
    page.fill("textarea[name=improvements]", "Encrypt USB drives | MSP | 2027-03-01")
    page.click("#finish")
    page.wait_for_selector("#overall-score")
    assert re.fullmatch(r"\d+%", page.inner_text("#overall-score").strip())
    assert page.locator(".area-row").count() == 4
    assert "Encrypt USB drives" in page.inner_text(".improvement")
    assert "Tell IT now and list what was in the bag" not in page.content()  # answers stay private
    pdf = page.request.get(live_server.url + page.get_attribute("#report-pdf", "href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    # The phone's own poll may be navigating at this moment; wait for its page to say so.
    phone.wait_for_selector("text=This drill has finished", timeout=20_000)
