from datetime import UTC, datetime, timedelta

from clinicshield.training.core.schedule import (
    ASSIGNED,
    COMPLETED,
    CURRENT,
    EXPIRED,
    NEVER,
    OVERDUE,
    Completion,
    Policy,
    add_months,
    assignment_state,
    escalation_due,
    freshness,
    next_reminder,
    plan_onboarding,
    plan_refreshes,
)

T0 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
POLICY = Policy()


def test_add_months_clamps_to_the_end_of_short_months() -> None:
    assert add_months(datetime(2025, 8, 31, tzinfo=UTC), 6) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2025, 11, 15, tzinfo=UTC), 3) == datetime(2026, 2, 15, tzinfo=UTC)


def test_assignment_state_follows_the_due_date() -> None:
    due = T0 + timedelta(days=30)
    assert assignment_state(due, None, T0) == ASSIGNED
    assert assignment_state(due, None, due + timedelta(seconds=1)) == OVERDUE
    assert assignment_state(due, T0, due + timedelta(days=99)) == COMPLETED


def test_training_expires_after_the_refresh_period() -> None:
    assert freshness(None, T0, POLICY) == NEVER
    assert freshness(T0, add_months(T0, 6) - timedelta(seconds=1), POLICY) == CURRENT
    assert freshness(T0, add_months(T0, 6), POLICY) == EXPIRED
    assert freshness(T0, add_months(T0, 6), Policy(refresh_months=12)) == CURRENT


def test_it_sends_each_reminder_once_in_order() -> None:
    due = T0 + timedelta(days=30)
    sent: list[str] = []
    moments = [T0, due - timedelta(days=7), due - timedelta(days=3), due - timedelta(hours=23)]
    moments += [due + timedelta(days=1, hours=1), due + timedelta(days=8)]
    for now in moments:
        kind = next_reminder(due, now, sent, POLICY)
        if kind:
            sent.append(kind)
    assert sent == ["before-7", "before-1", "after-1", "after-7"]
    assert next_reminder(due, due + timedelta(days=60), sent, POLICY) is None


def test_it_skips_missed_reminders_instead_of_sending_a_burst() -> None:
    due = T0 + timedelta(days=30)
    six_months_later = add_months(T0, 6)
    assert next_reminder(due, six_months_later, [], POLICY) == "after-7"
    assert next_reminder(due, six_months_later, ["after-7"], POLICY) is None


def test_it_escalates_once_after_the_grace_period() -> None:
    due = T0
    assert not escalation_due(due, due + timedelta(days=6), False, POLICY)
    assert escalation_due(due, due + timedelta(days=7), False, POLICY)
    assert not escalation_due(due, due + timedelta(days=70), True, POLICY)


def test_it_plans_a_refresh_a_month_before_completion_expires() -> None:
    done = [Completion(1, "phishing", T0), Completion(1, "phishing", T0 - timedelta(days=200))]
    expires = add_months(T0, 6)
    assert plan_refreshes(done, set(), expires - timedelta(days=31), POLICY) == []
    planned = plan_refreshes(done, set(), expires - timedelta(days=29), POLICY)
    assert [(p.person_id, p.module_key, p.due_at, p.reason) for p in planned] == [
        (1, "phishing", expires, "refresh")
    ]
    assert plan_refreshes(done, {(1, "phishing")}, expires, POLICY) == []


def test_a_late_refresh_still_gets_a_due_date_in_the_future() -> None:
    now = add_months(T0, 9)
    (planned,) = plan_refreshes([Completion(2, "clickfix", T0)], set(), now, POLICY)
    assert planned.due_at == now + timedelta(days=7)


def test_onboarding_plans_the_track_minus_what_was_already_assigned() -> None:
    planned = plan_onboarding(5, T0, ["clickfix", "phishing"], {"phishing"}, T0, POLICY)
    assert [(p.module_key, p.due_at, p.reason) for p in planned] == [
        ("clickfix", T0 + timedelta(days=30), "onboarding")
    ]
