"""Creating a campaign is one write (the sending profile, the campaign, its recipients and
the audit entry, all of them or none); launching one follows its state."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from clinicshield.accounts.models import AuditEntry
from clinicshield.lib.errors import UserError
from clinicshield.simulations import actions
from clinicshield.simulations.models import Campaign, Recipient, SendingProfile

WIZARD = {
    "name": "Payslip spring",
    "template": "payslip",
    "targets": "site:Madrid",
    "smtp_host": "127.0.0.1",
    "smtp_port": 2525,
    "from_address": "nominas@sim.example",
    "base_url": "https://drills.example",
    "days": 2,
    "rate_per_minute": 10,
}


def create(org, **changes):
    given = {
        "name": "Drill",
        "template_key": "payslip",
        "targets": "all",
        "smtp_host": "127.0.0.1",
        "smtp_port": 2525,
        "from_address": "nominas@sim.example",
        "base_url": "https://drills.example",
        "actor": "test",
    }
    return actions.do_create_campaign(org, **{**given, **changes})


def nothing_written(org) -> bool:
    return not (
        SendingProfile.objects.filter(organisation=org).exists()
        or Campaign.objects.filter(organisation=org).exists()
        or Recipient.objects.filter(campaign__organisation=org).exists()
        or AuditEntry.objects.filter(organisation=org, action__startswith="simulations.").exists()
    )


def test_one_action_writes_the_profile_the_campaign_its_recipients_and_the_audit(org_a, staff):
    campaign = create(org_a, connections=4)
    assert campaign.sending_profile.organisation == org_a
    assert (campaign.sending_profile.host, campaign.sending_profile.port) == ("127.0.0.1", 2525)
    assert campaign.sending_profile.connections == 4
    assert campaign.recipients.count() == len(staff)
    assert AuditEntry.objects.get(organisation=org_a, action="simulations.campaign.create")
    # A second campaign through the same relay reuses its profile.
    assert create(org_a, name="Again").sending_profile == campaign.sending_profile


def test_a_campaign_the_database_refuses_leaves_no_sending_profile_behind(org_a, staff):
    # The profile is written first; the campaign's row is then refused by the database
    # (rate_per_minute is a positive integer column): the whole write goes.
    with pytest.raises(IntegrityError):
        create(org_a, rate_per_minute=-1)
    assert nothing_written(org_a)
    create(org_a)  # the organisation is not left in a state that refuses the next one
    assert Campaign.objects.filter(organisation=org_a).count() == 1


def test_the_wizard_refused_for_its_targets_leaves_no_sending_profile(org_a, staff, client_alice):
    # Nobody works in billing: the page says so and nothing is written (the page used to
    # make the sending profile before the campaign was refused).
    response = client_alice.post(
        "/o/clinic-a/simulations/new/", {**WIZARD, "targets": "dept:billing"}
    )
    assert response.status_code == 200
    assert "Nobody matches the targets" in response.content.decode()
    assert nothing_written(org_a)


def test_the_cli_creates_a_campaign_and_its_profile_in_one_go(org_a, staff):
    out = StringIO()
    call_command(
        "campaign",
        "create",
        "--org=clinic-a",
        "--name=CLI drill",
        "--template=payslip",
        "--smtp-host=127.0.0.1",
        "--smtp-port=2525",
        "--from=nominas@sim.example",
        "--base-url=https://drills.example",
        "--connections=3",
        stdout=out,
    )
    campaign = Campaign.objects.get(pk=int(out.getvalue()))
    assert campaign.sending_profile.connections == 3
    assert campaign.recipients.count() == len(staff)


def test_launching_follows_the_campaigns_state(org_a, staff, smtp_server):
    # The rules the `campaign launch` command used to hold: --now on a campaign already
    # sending resumes it (nothing planned again), a finished one and a second launch on
    # the schedule are refused.
    campaign = create(org_a, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    assert actions.do_launch_campaign(campaign, now, immediately=True, actor="test") == 0
    assert campaign.state == "sending"
    later = now + timedelta(minutes=5)
    assert actions.do_launch_campaign(campaign, later, immediately=True, actor="test") == 0
    campaign.refresh_from_db()
    assert (campaign.state, campaign.launched_at) == ("sending", now)  # a resume writes nothing
    assert AuditEntry.objects.filter(action="simulations.campaign.launch").count() == 1
    with pytest.raises(UserError) as on_schedule:
        actions.do_launch_campaign(campaign, later, immediately=False, actor="test")
    assert on_schedule.value.code == "already_launched"

    assert actions.do_send_due(campaign.pk, later).sent == len(staff)
    campaign.refresh_from_db()
    assert campaign.state == "finished"
    for immediately in (True, False):
        with pytest.raises(UserError):
            actions.do_launch_campaign(campaign, later, immediately=immediately, actor="test")


def test_the_cli_refuses_to_launch_a_finished_campaign(org_a, staff, smtp_server):
    campaign = create(org_a, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    call_command("campaign", "launch", str(campaign.pk), "--now", stdout=StringIO())
    campaign.refresh_from_db()
    assert campaign.state == "finished"
    with pytest.raises(CommandError) as refused:
        call_command("campaign", "launch", str(campaign.pk), "--now", stdout=StringIO())
    assert refused.value.returncode == 2
    assert "already launched" in str(refused.value)
    assert len(smtp_server.messages) == len(staff)  # nobody was sent the drill twice


def test_the_cli_refuses_numbers_that_make_no_sense_naming_them(tmp_path):
    from tests.cli import clinicshield

    assert clinicshield(tmp_path, "createorg", "--name", "Sol", "--slug", "sol").code == 0
    common = ["campaign", "create", "--org", "sol", "--name", "Drill", "--template", "payslip"]
    common += ["--smtp-host", "127.0.0.1", "--from", "it@sol.example", "--base-url", "https://x"]
    for option, value, reason in (
        ("--rate", "-1", "'-1' must be 1 or more"),
        ("--days", "0", "'0' must be 1 or more"),
        ("--connections", "two", "'two' is not a whole number"),
        ("--smtp-port", "70000", "'70000' is not a port number (1-65535)"),
    ):
        refused = clinicshield(tmp_path, *common, option, value)
        assert refused.code == 2, refused.err
        assert reason in refused.err
