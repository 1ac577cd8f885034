"""The six-monthly drill reminder, driven by `now`."""

from datetime import UTC, datetime, timedelta
from typing import Any

from clinicshield.lib.due import REGISTRY, discover, run_due
from clinicshield.readiness import actions
from clinicshield.readiness.due import remind_to_run_drills
from tests.conftest import SmtpSink, body_text

LAST_DRILL = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


def finished_drill(org: Any, when: Any) -> None:
    drill = actions.do_start_drill(org, "lost-laptop", "es", "test", now=when)
    actions.do_finish_drill(drill, "test", went_well="", gaps_noted="", improvements=[], now=when)


def test_it_is_registered_as_a_due_job() -> None:
    discover()
    assert REGISTRY["readiness.drill_reminder"].function is remind_to_run_drills


def test_it_reminds_six_months_after_the_last_drill_and_not_before(
    org_a: Any, alice: Any, smtp_server: SmtpSink
) -> None:
    last = LAST_DRILL
    finished_drill(org_a, last)
    assert remind_to_run_drills(last + timedelta(days=150)) == "nothing due"
    assert smtp_server.messages == []
    summary = run_due(last + timedelta(days=183), only=["readiness.drill_reminder"])
    assert summary["readiness.drill_reminder"] == "reminded 1: clinic-a"
    [message] = smtp_server.to("alice@a.example")
    assert "/o/clinic-a/readiness/drills/" in body_text(message)


def test_it_does_not_repeat_itself_for_a_month_then_reminds_again(
    org_a: Any, alice: Any, smtp_server: SmtpSink
) -> None:
    last = LAST_DRILL
    finished_drill(org_a, last)
    due = last + timedelta(days=183)
    remind_to_run_drills(due)
    assert remind_to_run_drills(due) == "nothing due"  # same moment twice: idempotent
    assert remind_to_run_drills(due + timedelta(days=10)) == "nothing due"
    assert remind_to_run_drills(due + timedelta(days=31)) == "reminded 1: clinic-a"
    assert len(smtp_server.to("alice@a.example")) == 2


def test_a_new_drill_resets_the_six_months(org_a: Any, alice: Any, smtp_server: SmtpSink) -> None:
    start = LAST_DRILL
    finished_drill(org_a, start)
    remind_to_run_drills(start + timedelta(days=183))
    finished_drill(org_a, start + timedelta(days=190))
    assert remind_to_run_drills(start + timedelta(days=220)) == "nothing due"
    assert len(smtp_server.messages) == 1
