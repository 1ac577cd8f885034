from django.utils import timezone

from clinicshield.simulations import actions
from clinicshield.simulations.models import Campaign, ReportedMessage

from .conftest import make_campaign


def test_charlie_gets_404_on_alices_campaign(org_a, staff, smtp_server, client_charlie):
    campaign = make_campaign(org_a, smtp_server)
    assert (
        client_charlie.get(f"/o/clinic-a/simulations/campaigns/{campaign.pk}/").status_code == 404
    )
    assert (
        client_charlie.get(f"/o/clinic-b/simulations/campaigns/{campaign.pk}/").status_code == 404
    )


def test_bob_the_viewer_sees_results_but_cannot_create(org_a, staff, smtp_server, client_bob):
    campaign = make_campaign(org_a, smtp_server)
    response = client_bob.get(f"/o/clinic-a/simulations/campaigns/{campaign.pk}/")
    assert response.status_code == 200 and campaign.name in response.content.decode()
    assert client_bob.get("/o/clinic-a/simulations/new/").status_code == 403
    assert client_bob.get("/o/clinic-a/simulations/triage/").status_code == 403


def test_alice_creates_a_campaign_with_the_wizard_after_a_preview(
    org_a, staff, smtp_server, client_alice
):
    preview = client_alice.get("/o/clinic-a/simulations/new/", {"template": "payslip"})
    page = preview.content.decode()
    assert "Red flags" in page
    assert "Your payslip for this month is available (includes a correction)" in page
    response = client_alice.post(
        "/o/clinic-a/simulations/new/",
        {
            "name": "Payslip spring",
            "template": "payslip",
            "targets": "site:Madrid",
            "smtp_host": smtp_server.host,
            "smtp_port": smtp_server.port,
            "from_address": "nominas@sim.example",
            "base_url": "https://drills.example",
            "days": 2,
            "rate_per_minute": 10,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = Campaign.objects.get(name="Payslip spring")
    assert campaign.recipients.count() == 2  # Ana and Ben work in Madrid
    launched = client_alice.post(f"/o/clinic-a/simulations/campaigns/{campaign.pk}/launch/")
    assert launched.status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == "scheduled"
    assert not campaign.recipients.filter(send_at__isnull=True).exists()


def test_the_teaching_pages_show_every_template_with_its_red_flags(org_a, client_alice):
    page = client_alice.get("/o/clinic-a/simulations/templates/").content.decode()
    assert page.count("<h4>Red flags</h4>") >= 10
    landing = client_alice.get("/o/clinic-a/simulations/templates/booking-captcha/landing/?lang=es")
    assert "No soy un robot" in landing.content.decode()


def test_the_trend_chart_is_server_side_svg_without_scripts(
    org_a, staff, smtp_server, client_alice
):
    campaign = make_campaign(org_a, smtp_server)
    actions.do_launch_campaign(campaign, timezone.now(), immediately=True, actor="test")
    actions.do_send_due(campaign.pk, timezone.now())
    page = client_alice.get("/o/clinic-a/simulations/trend/").content.decode()
    assert "<svg" in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "<script" not in svg


def test_it_triages_a_reported_email(org_a, client_alice):
    item = ReportedMessage.objects.create(
        organisation=org_a,
        mailbox_uid="1:1",
        reporter_email="ana@clinic-a.example",
        verdict="dangerous",
        received_at=timezone.now(),
        analysis={
            "verdict": "dangerous",
            "findings": [{"code": "clickfix_instructions", "params": {}}],
            "advice": [],
        },
    )
    page = client_alice.get("/o/clinic-a/simulations/triage/").content.decode()
    assert "ClickFix" in page
    client_alice.post(f"/o/clinic-a/simulations/triage/{item.pk}/", {"triage_state": "real"})
    item.refresh_from_db()
    assert item.triage_state == "real"


def test_alice_writes_her_own_template_with_a_preview_and_a_clear_error(org_a, client_alice):
    from clinicshield.simulations.views.templates import STARTER_TEMPLATE

    url = "/o/clinic-a/simulations/templates/new/"
    bad = client_alice.post(
        url, {"definition": STARTER_TEMPLATE.replace("{{link}}", "{{pasword}}"), "preview": "1"}
    )
    assert "unknown placeholder {{pasword}}" in bad.content.decode()
    preview = client_alice.post(url, {"definition": STARTER_TEMPLATE, "preview": "1"})
    assert "Please check this before your shift" in preview.content.decode()
    saved = client_alice.post(url, {"definition": STARTER_TEMPLATE, "save": "1"})
    assert saved.status_code == 302
    assert org_a.simulation_templates.get().key == "our-own-lure"
