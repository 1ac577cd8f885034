"""The ClickFix page in a real headless Chromium with clipboard permission granted."""

import re

import pytest
from django.utils import timezone

from clinicshield.simulations import actions
from clinicshield.simulations.core.landing import verification_id
from clinicshield.simulations.models import Recipient, TrackingEvent
from tests.conftest import body_text

from .conftest import make_campaign

DESKTOP_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("template", "decoy"),
    [("booking-captcha", "I am not a robot - Verification ID"), ("e-prescription-update", "C:\\")],
)
def test_the_clipboard_holds_only_the_inert_link_and_opening_it_shows_the_lesson(
    org_a, staff, smtp_server, settings_fast_humans, live_server, browser, template, decoy
):
    campaign = make_campaign(
        org_a, smtp_server, template=template, targets="list:ben@clinic-a.example"
    )
    campaign.base_url = live_server.url
    campaign.save(update_fields=["base_url"])
    actions.do_launch_campaign(campaign, timezone.now(), immediately=True, actor="test")
    actions.do_send_due(campaign.pk, timezone.now())
    link = re.search(
        r"http://\S+/t/[A-Za-z0-9_-]{32}", body_text(smtp_server.to("ben@clinic-a.example")[0])
    ).group(0)
    token = link.rsplit("/", 1)[1]

    # Headless Chromium says "HeadlessChrome", which we rightly count as a scanner; a person's
    # desktop Chrome does not.
    context = browser.new_context(
        permissions=["clipboard-read", "clipboard-write"], user_agent=DESKTOP_CHROME
    )
    page = context.new_page()
    page.goto(link)
    page.mouse.move(40, 40)
    with page.expect_response(lambda response: response.url.endswith("/copy?h=1")):
        page.click("#verify")
    page.wait_for_selector("#steps", state="visible")
    clipboard = page.evaluate("navigator.clipboard.readText()")

    expected_url = f"{live_server.url}/s/{token}"
    assert clipboard.startswith(f"{expected_url}#  {decoy}")
    assert verification_id(token) in clipboard
    assert "\n" not in clipboard and "powershell" not in clipboard.lower()
    actions.do_fold_hits()
    recipient = Recipient.objects.get(token=token)
    assert recipient.status == "copied"

    # Win+R, Ctrl+V, Enter: Windows hands the line to the default browser.
    run_dialog = context.new_page()
    run_dialog.goto(clipboard)
    heading = run_dialog.text_content("h1")
    assert "ClickFix drill" in heading
    assert "Win+R" in run_dialog.text_content("#lesson")
    actions.do_fold_hits()
    recipient.refresh_from_db()
    assert recipient.status == "executed" and recipient.executed_at is not None
    assert TrackingEvent.objects.filter(
        recipient=recipient, event="executed", verified=True
    ).exists()
    context.close()


def test_a_person_who_types_a_password_sends_nothing_of_it(
    org_a, staff, smtp_server, settings_fast_humans, live_server, browser
):
    campaign = make_campaign(org_a, smtp_server, targets="list:ana@clinic-a.example")
    campaign.base_url = live_server.url
    campaign.save(update_fields=["base_url"])
    actions.do_launch_campaign(campaign, timezone.now(), immediately=True, actor="test")
    actions.do_send_due(campaign.pk, timezone.now())
    text = body_text(smtp_server.to("ana@clinic-a.example")[0])
    link = re.search(r"http://\S+/t/[A-Za-z0-9_-]{32}", text).group(0)

    context = browser.new_context(user_agent=DESKTOP_CHROME)
    page = context.new_page()
    bodies = []
    page.on("request", lambda request: bodies.append((request.url, request.post_data)))
    page.goto(link)
    page.fill("#sim-user", "ana@clinic-a.example")
    page.fill("#sim-pass", "Sup3r-secret-pw")
    # Not a password field (no password manager saves it or checks it against leak lists),
    # yet masked like one, and no spell checker reads it.
    field = page.eval_on_selector(
        "#sim-pass",
        "e => [e.type, getComputedStyle(e).webkitTextSecurity, e.spellcheck, e.value]",
    )
    assert field == ["text", "disc", False, "Sup3r-secret-pw"]
    assert page.locator("input[type=password]").count() == 0
    # The fields are emptied before anything leaves the page: the report is held back here.
    held = []
    page.route("**/submit?h=1", lambda route: held.append(route))
    page.click("button[type=submit]")  # the submit handler has run when the click returns
    typed = page.eval_on_selector_all("input", "fields => fields.map(e => e.value)")
    assert typed == ["", ""]
    assert held
    held[0].continue_()
    page.wait_for_url("**/lesson")
    assert page.text_content("h1") == "Esto ha sido un simulacro de phishing de su centro"
    posted = [(url, data) for url, data in bodies if "/submit" in url]
    assert posted and all(not data for _url, data in posted)
    assert not any(data and "Sup3r" in data for _url, data in bodies)
    actions.do_fold_hits()
    recipient = Recipient.objects.get(campaign=campaign)
    assert recipient.status == "submitted"
    context.close()
