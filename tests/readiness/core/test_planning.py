"""Playbook steps become an incident's tasks, with an organisation's adaptations."""

from datetime import UTC, datetime, timedelta

from clinicshield.readiness.core.catalogue import shipped_catalogue
from clinicshield.readiness.core.planning import check_adaptation, plan_tasks

OPENED = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)


def playbook(key="clickfix", language="en"):
    return shipped_catalogue().playbook(key, language)


def test_each_task_is_due_when_its_step_time_limit_runs_out():
    tasks = plan_tasks(playbook(), OPENED)
    first = tasks[0]
    assert (first.step_id, first.role) == ("disconnect", "staff")
    assert first.due_at == OPENED + timedelta(minutes=5)
    breach = next(t for t in tasks if t.step_id == "breach_assessment")
    assert breach.clock == "gdpr_authority" and breach.due_at == OPENED + timedelta(hours=24)
    assert [t.position for t in tasks] == list(range(len(tasks)))


def test_an_adaptation_can_reassign_retime_annotate_skip_and_add_steps():
    adaptation, problems = check_adaptation(
        playbook(),
        {
            "steps": {
                "triage": {
                    "role": "manager",
                    "within": "30m",
                    "local_note": "Call Ana: 600 111 222",
                },
                "use_another_computer": {"skip": True},
            },
            "extra_steps": [
                {
                    "after": "report",
                    "id": "tell-owner",
                    "role": "front_desk",
                    "within": "15m",
                    "title": "Text the owner",
                    "details": "Send a text to the owner's mobile.",
                }
            ],
        },
    )
    assert problems == []
    tasks = plan_tasks(playbook(), OPENED, adaptation)
    ids = [t.step_id for t in tasks]
    assert ids[:3] == ["disconnect", "report", "tell-owner"]
    assert "use_another_computer" not in ids
    triage = next(t for t in tasks if t.step_id == "triage")
    assert (triage.role, triage.due_at) == ("manager", OPENED + timedelta(minutes=30))
    assert triage.local_note == "Call Ana: 600 111 222"


def test_a_step_that_meets_a_legal_deadline_cannot_be_skipped():
    adaptation, problems = check_adaptation(
        playbook(), {"steps": {"breach_assessment": {"skip": True}}}
    )
    assert adaptation is None
    assert [p.code for p in problems] == ["cannot_skip_legal_step"]


def test_it_names_unknown_steps_and_bad_values():
    _, problems = check_adaptation(playbook(), {"steps": {"nope": {"role": "manager"}}})
    assert [(p.code, p.params["step"]) for p in problems] == [("unknown_step", "nope")]
    _, problems = check_adaptation(playbook(), {"steps": {"triage": {"within": "soon"}}})
    assert problems and "steps.triage.within" in problems[0].detail
