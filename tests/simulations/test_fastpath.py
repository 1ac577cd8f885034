"""The WSGI application the server runs: tracking hits answered before Django, as Django would."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.utils import timezone

from clinicshield.simulations import actions
from clinicshield.simulations.fastpath import tracking_fast_path
from clinicshield.simulations.hitlog import hits_dir
from clinicshield.simulations.models import TrackingEvent
from clinicshield.wsgi import application, django_application

from .conftest import make_campaign
from .wsgi_calls import call, environ

# Headers of text pages only: a pixel or a 204 carries no language.
TEXT_ONLY = {"Vary", "Content-Language"}
pytestmark = pytest.mark.usefixtures("connection_kept_open")


def hits_written() -> int:
    directory = hits_dir()
    if not directory.is_dir():
        return 0
    return sum(path.read_bytes().count(b"\n") for path in directory.iterdir())


@pytest.fixture
def token(org_a, staff, smtp_server, settings_fast_humans, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    campaign = make_campaign(org_a, smtp_server, targets="list:ben@clinic-a.example")
    actions.do_launch_campaign(campaign, timezone.now(), immediately=True, actor="test")
    actions.do_send_due(campaign.pk, timezone.now())
    return campaign.recipients.get().token


@pytest.mark.parametrize(
    ("tail", "method", "query"),
    [
        ("/px.gif", "GET", ""),
        ("/px.gif", "HEAD", ""),
        ("", "HEAD", ""),
        ("/h", "POST", "h=1"),
        ("/submit", "POST", "h=1"),
        ("/submit", "POST", ""),
        ("/copy", "POST", "h=1"),
    ],
)
def test_the_fast_path_answers_a_hit_as_django_does(token, tail, method, query):
    fast = call(application, environ(f"/t/{token}{tail}", method, query))
    assert hits_written() == 1  # answered without Django: written down, not yet judged
    slow = call(django_application, environ(f"/t/{token}{tail}", method, query))
    assert hits_written() == 2
    assert fast[0] == slow[0] and fast[2] == slow[2]
    fast_headers = {k: v for k, v in fast[1].items() if k not in TEXT_ONLY | {"Expires"}}
    slow_headers = {k: v for k, v in slow[1].items() if k not in TEXT_ONLY | {"Expires"}}
    assert fast_headers == slow_headers
    assert "Expires" in fast[1]
    summary = actions.do_fold_hits()
    stored = list(TrackingEvent.objects.values_list("event", "verified", "user_agent"))
    if tail == "/copy":  # no rung of a phishing campaign: refused by the fold, as before
        assert stored == [] and summary.refused == 2
        return
    assert len(stored) == 2 and stored[0] == stored[1]
    assert "hunter2" not in str(stored)  # the body of a submit is never read


@pytest.mark.parametrize(("hops", "expected"), [(0, "127.0.0.1"), (1, "198.51.100.7")])
def test_behind_our_proxy_a_hit_records_the_clients_address(token, settings, hops, expected):
    # The client wrote the first entry itself; our one proxy appended the second.
    settings.PROXY_HOPS = hops
    forwarded = {"HTTP_X_FORWARDED_FOR": "203.0.113.66, 198.51.100.7"}
    call(application, environ(f"/t/{token}/px.gif", **forwarded))
    call(django_application, environ(f"/t/{token}/px.gif", **forwarded))
    actions.do_fold_hits()
    assert list(TrackingEvent.objects.values_list("ip", flat=True)) == [expected, expected]


def test_the_inert_clickfix_link_opened_by_a_head_is_a_hit_too(org_a, staff, smtp_server):
    campaign = make_campaign(
        org_a, smtp_server, template="booking-captcha", targets="list:ben@clinic-a.example"
    )
    token = campaign.recipients.get().token
    status, _headers, body = call(application, environ(f"/s/{token}", "HEAD"))
    assert (status, body) == ("200 OK", b"")
    assert hits_written() == 1


def test_an_unknown_token_gets_the_404_of_any_missing_page_and_leaves_no_hit(token):
    unknown = call(application, environ("/t/" + "A" * 32 + "/px.gif"))
    missing = call(application, environ("/no-such-page/px.gif"))
    assert unknown[0] == missing[0] == "404 Not Found"
    assert unknown[2] == missing[2]
    assert hits_written() == 0


def test_what_django_would_refuse_or_redirect_is_left_to_django(token, settings):
    other_host = call(application, environ(f"/t/{token}/px.gif", HTTP_HOST="evil.example"))
    assert other_host[0].startswith("400")
    settings.SECURE_SSL_REDIRECT = True
    # Django's middlewares read their settings when built: build the stack again.
    app = tracking_fast_path(WSGIHandler())
    plain_http = call(app, environ(f"/t/{token}/px.gif"))
    assert plain_http[0].startswith("301") and plain_http[1]["Location"].startswith("https://")
    assert hits_written() == 0
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    behind_tls = environ(f"/t/{token}/px.gif", HTTP_X_FORWARDED_PROTO="https")
    fast = call(tracking_fast_path(WSGIHandler()), behind_tls)
    assert fast[0] == "200 OK" and fast[1]["Strict-Transport-Security"] == "max-age=3600"
    assert fast[1]["Content-Type"] == "image/gif"
    assert hits_written() == 1
