"""No typed password is ever kept: whatever a client sends to a landing page's submit
(in the body, in the query string), nothing of it reaches the raw hit log, the database
or the logs, on the fast path, through Django, and when writing the hit fails."""

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from clinicshield.simulations import actions
from clinicshield.simulations.hitlog import close_hit_log, hits_dir
from clinicshield.wsgi import application, django_application
from tests.conftest import body_text

from .conftest import make_campaign
from .wsgi_calls import call, environ

IN_BODY = "Body-Typed-Pw-7731"
IN_QUERY = "Query-Typed-Pw-5519"
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def hit_log_closed(connection_kept_open: None) -> Iterator[None]:
    yield
    close_hit_log()


def submit(app: Any, token: str, human: bool) -> str:
    body = f"email=ana%40clinic-a.example&password={IN_BODY}".encode()
    query = f"password={IN_QUERY}" + ("&h=1" if human else "")
    return call(app, environ(f"/t/{token}/submit", "POST", query, body))[0]


def everything_in_the_database() -> str:
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            rows.append(repr(cursor.fetchall()))
    return "\n".join(rows)


def everything_under(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in directory.rglob("*") if p.is_file())


@pytest.fixture
def token(org_a, staff, smtp_server, settings_fast_humans, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    campaign = make_campaign(org_a, smtp_server, targets="list:ben@clinic-a.example")
    actions.do_launch_campaign(campaign, MONDAY, immediately=True, actor="test")
    actions.do_send_due(campaign.pk, MONDAY)
    return campaign.recipients.get().token


def test_nothing_a_client_sends_with_a_submit_is_kept_anywhere(token, data_dir, caplog):
    caplog.set_level(logging.DEBUG)
    answers = [
        submit(application, token, human=True),  # the fast path: our script's post
        submit(application, token, human=False),  # the fast path: the form without script
        submit(django_application, token, human=True),  # the view
        submit(django_application, token, human=False),
    ]
    assert answers == ["204 No Content", "302 Found", "204 No Content", "302 Found"]
    raw = everything_under(hits_dir())
    assert raw.count(b"\n") == 4 and b'"submitted"' in raw  # the fact is kept...
    actions.do_fold_hits()
    recipient_status = everything_in_the_database()
    assert "submitted" in recipient_status
    for secret in (IN_BODY, IN_QUERY):  # ...and nothing typed, raw or judged
        assert secret.encode() not in everything_under(data_dir)
        assert secret not in recipient_status
        assert secret not in caplog.text


def test_a_submit_whose_hit_cannot_be_written_logs_nothing_typed(token, settings, tmp_path, caplog):
    # The disk refuses the hit (here: the hits' directory cannot be made): the fast path
    # hands the request to Django, whose view fails, and the error is logged.
    settings.DATA_DIR = tmp_path / "broken"
    settings.DATA_DIR.mkdir()
    (settings.DATA_DIR / "simulations").write_text("not a directory")
    caplog.set_level(logging.DEBUG)
    assert submit(application, token, human=True).startswith("500")
    assert "Internal Server Error" in caplog.text
    for secret in (IN_BODY, IN_QUERY):
        assert secret not in caplog.text
        assert secret not in everything_in_the_database()


def test_an_error_report_to_the_operators_shows_nothing_posted_with_a_submit(
    token, settings, tmp_path, smtp_server
):
    # Django emails a failure's report, request included, to ADMINS when an operator sets
    # them; a submit's posted fields are hidden in it.
    settings.ADMINS = [("Ops", "ops@clinic-a.example")]
    settings.DATA_DIR = tmp_path / "broken"
    settings.DATA_DIR.mkdir()
    (settings.DATA_DIR / "simulations").write_text("not a directory")
    assert submit(django_application, token, human=True).startswith("500")
    report = body_text(smtp_server.to("ops@clinic-a.example")[0])
    assert "POST:" in report and "password" in report
    assert IN_BODY not in report
