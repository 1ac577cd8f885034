"""Hits are written down by the request and folded into events by the worker's task."""

import os
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from clinicshield.simulations import actions, tasks
from clinicshield.simulations.core.hits import Hit
from clinicshield.simulations.hitlog import append_hit, close_hit_log, hits_dir
from clinicshield.simulations.models import QuarantinedHit, Recipient, TrackingEvent

from .conftest import make_campaign

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
SCANNER = "Mozilla/5.0 (compatible; Proofpoint URL Defense)"


def sent(org, smtp, template="ehr-password-expiry", targets="all"):
    campaign = make_campaign(org, smtp, template=template, targets=targets)
    actions.do_launch_campaign(campaign, timezone.now(), immediately=True, actor="test")
    actions.do_send_due(campaign.pk, timezone.now())
    return campaign


def by_email(campaign, email):
    return Recipient.objects.get(campaign=campaign, email=email)


def test_a_hit_counts_once_folded_and_the_fold_judges_scanners(
    org_a, staff, smtp_server, settings_fast_humans
):
    campaign = sent(org_a, smtp_server)
    ana, ben = (
        by_email(campaign, "ana@clinic-a.example"),
        by_email(campaign, "ben@clinic-a.example"),
    )
    assert Client(HTTP_USER_AGENT=SCANNER).get(f"/t/{ana.token}").status_code == 200
    assert Client(HTTP_USER_AGENT=BROWSER).post(f"/t/{ben.token}/h?h=1").status_code == 204
    # Answered, written down, not judged yet: nothing in the database.
    assert not TrackingEvent.objects.exists()
    assert by_email(campaign, "ben@clinic-a.example").status == "sent"

    tasks.fold_hits_task.call_local()  # the real Huey task the hits asked the worker for

    scanner_event = TrackingEvent.objects.get(recipient=ana)
    assert not scanner_event.verified
    assert set(scanner_event.reasons.split(",")) == {"scanner_user_agent", "no_javascript"}
    assert by_email(campaign, "ana@clinic-a.example").status == "sent"
    person_event = TrackingEvent.objects.get(recipient=ben)
    assert person_event.verified and person_event.user_agent == BROWSER
    assert by_email(campaign, "ben@clinic-a.example").status == "clicked"
    # Folding again finds nothing new: each hit is one event.
    tasks.fold_hits_task.call_local()
    assert TrackingEvent.objects.count() == 2


def test_a_click_is_judged_with_the_delivery_time_known_when_it_is_folded(
    org_a, staff, smtp_server
):
    campaign = sent(org_a, smtp_server, targets="list:ben@clinic-a.example")
    ben = by_email(campaign, "ben@clinic-a.example")
    clicked_at = timezone.now()
    actions.do_record_hit(Hit(ben.token, "clicked", clicked_at, "POST", BROWSER, None, True))
    # The sender's "sent" mark, committed after the click reached us: 3 s before it.
    Recipient.objects.filter(pk=ben.pk).update(sent_at=clicked_at - timedelta(seconds=3))
    actions.do_fold_hits()
    event = TrackingEvent.objects.get(recipient=ben)
    assert not event.verified and event.reasons == "too_soon_after_delivery"
    assert by_email(campaign, "ben@clinic-a.example").status == "sent"


def test_the_results_page_and_the_api_count_every_hit_answered_before_them(
    org_a, staff, smtp_server, settings_fast_humans, client_alice
):
    from clinicshield.accounts.actions import do_create_api_token

    campaign = sent(org_a, smtp_server)
    person = Client(HTTP_USER_AGENT=BROWSER)
    for email in ("ana@clinic-a.example", "ben@clinic-a.example"):
        token = by_email(campaign, email).token
        person.get(f"/t/{token}/px.gif")
        person.post(f"/t/{token}/h?h=1")
    person.post(f"/t/{by_email(campaign, 'ben@clinic-a.example').token}/submit?h=1")
    Client(HTTP_USER_AGENT=SCANNER).get(f"/t/{by_email(campaign, 'carla@clinic-a.example').token}")

    page = client_alice.get(f"/o/{org_a.slug}/simulations/campaigns/{campaign.pk}/")
    funnel = page.context["r"]["totals"]["funnel"]
    assert funnel == {"sent": 3, "opened": 2, "clicked": 2, "submitted": 1}
    assert page.context["r"]["unverified_events"] == {"clicked": 1}
    assert "Not counted (scanners and link checkers):" in page.content.decode()

    Client(HTTP_USER_AGENT=BROWSER).post(
        f"/t/{by_email(campaign, 'ana@clinic-a.example').token}/submit?h=1"
    )
    api_token = do_create_api_token(org_a, "ci", "viewer", "test")
    results = Client().get(
        f"/api/simulations/campaigns/{campaign.pk}/results",
        HTTP_AUTHORIZATION=f"Bearer {api_token}",
    )
    assert results.json()["totals"]["funnel"]["submitted"] == 2


def test_a_line_cut_short_is_set_aside_with_where_it_was(org_a, staff, smtp_server):
    campaign = sent(org_a, smtp_server, targets="list:ana@clinic-a.example")
    token = campaign.recipients.get().token
    append_hit(Hit(token, "opened", timezone.now(), "GET", BROWSER))
    [log_file] = hits_dir().iterdir()
    whole = log_file.stat().st_size
    with open(log_file, "ab") as handle:
        handle.write(b'{"v":1,"token":"' + token.encode())  # the disk filled up here
    actions.do_fold_hits()  # the writer still holds the file: the tail may yet end
    assert TrackingEvent.objects.count() == 1 and not QuarantinedHit.objects.exists()

    close_hit_log()
    summary = actions.do_fold_hits()
    assert summary.quarantined == 1 and summary.files_finished == 1
    quarantined = QuarantinedHit.objects.get()
    assert (quarantined.source, quarantined.offset) == (log_file.name, whole)
    assert bytes(quarantined.line).startswith(b'{"v":1,"token"')
    assert not log_file.exists() and TrackingEvent.objects.count() == 1


def test_the_log_is_readable_by_its_owner_only(org_a, staff, smtp_server):
    campaign = sent(org_a, smtp_server, targets="list:ana@clinic-a.example")
    append_hit(Hit(campaign.recipients.get().token, "opened", timezone.now()))
    [log_file] = hits_dir().iterdir()
    assert os.stat(log_file).st_mode & 0o777 == 0o600
    assert os.stat(hits_dir()).st_mode & 0o777 == 0o700
