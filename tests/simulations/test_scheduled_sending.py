from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from clinicshield.lib.due import REGISTRY, run_due
from clinicshield.simulations import actions
from clinicshield.simulations.models import Recipient

from .conftest import make_campaign

MONDAY_EARLY = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 06:00 in Madrid, before opening


def test_the_due_job_sends_each_email_when_its_time_comes_inside_opening_hours(
    org_a, staff, smtp_server
):
    for site in org_a.sites.all():
        site.opening_hours = {"0": [["09:00", "09:02"]], "1": [["09:00", "09:02"]]}
        site.save(update_fields=["opening_hours"])
    campaign = make_campaign(org_a, smtp_server)
    campaign.start_at, campaign.days, campaign.rate_per_minute = MONDAY_EARLY, 1, 1
    campaign.save(update_fields=["start_at", "days", "rate_per_minute"])
    actions.do_launch_campaign(campaign, MONDAY_EARLY, immediately=False, actor="test")
    send_times = sorted(
        Recipient.objects.filter(campaign=campaign).values_list("send_at", flat=True)
    )
    madrid = ZoneInfo("Europe/Madrid")
    assert [t.astimezone(madrid).strftime("%a %H:%M") for t in send_times] == [
        "Mon 09:00",
        "Mon 09:01",
        "Tue 09:00",  # one a minute, spilled to Tuesday
    ]
    assert "simulations.send" in REGISTRY

    run_due(MONDAY_EARLY, only=["simulations.send"])
    assert smtp_server.messages == []
    run_due(send_times[1] + timedelta(seconds=30), only=["simulations.send"])
    assert len(smtp_server.messages) == 2
    run_due(send_times[1] + timedelta(seconds=30), only=["simulations.send"])  # idempotent
    assert len(smtp_server.messages) == 2
    run_due(send_times[2], only=["simulations.send"])
    assert len(smtp_server.messages) == 3
    campaign.refresh_from_db()
    assert campaign.state == "finished"
