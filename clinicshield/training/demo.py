"""Demo training history: a year of onboarding and refreshes, a few people overdue, a new
starter halfway through, and a just-in-time module after a simulation click.

Deterministic (no randomness): who is late and who misses which question follows from each
person's position in the staff list, so the demo looks the same every time.
"""

from datetime import datetime, timedelta

from clinicshield.accounts.models import Organisation, Person
from clinicshield.lib.core.months import add_months

from .core.content import TRACK_OF_DEPARTMENT
from .models import Assignment, QuizAttempt
from .queries import policy_for, shipped_library

# Questions people get wrong most often in real awareness programmes; the demo misses these
# so the "most missed" table has something to say.
HARD_QUESTIONS = {
    "clickfix": "safe-paste-places",
    "phishing": "read-the-link",
    "passwords-mfa": "manager-protects",
    "patient-privacy": "group-email",
    "phone-scams": "callback-number",
}
OVERDUE_EVERY = 6  # every sixth person has not done the current refresh
NEW_STARTER_INDEX = 4


def seed(org: Organisation, now: datetime) -> str:
    library = shipped_library()
    policy = policy_for(org)
    staff = [
        p for p in org.people.filter(active=True).order_by("email") if not p.name.startswith("svc-")
    ]
    # Start so that the current refresh fell due three weeks ago: late people are escalated.
    start = add_months(now, -2 * policy.refresh_months - 1) - timedelta(days=21)
    for index, person in enumerate(staff):
        track = library.tracks[TRACK_OF_DEPARTMENT[person.department]]
        if index == NEW_STARTER_INDEX:
            _new_starter(person, track, now)
            continue
        Person.objects.filter(pk=person.pk).update(joined_at=start)
        rounds = [
            start,
            add_months(start, policy.refresh_months),
            add_months(start, 2 * policy.refresh_months),
        ]
        for round_number, assigned_at in enumerate(rounds):
            late = round_number == len(rounds) - 1 and index % OVERDUE_EVERY == 1
            for position, key in enumerate(track):
                reason = "onboarding" if round_number == 0 else "refresh"
                due = assigned_at + timedelta(days=30)
                done_at = (
                    None if late else assigned_at + timedelta(days=3 + (index + position) % 20)
                )
                if done_at is not None and done_at > now:
                    done_at = None
                _assignment(person, key, reason, assigned_at, due, done_at, index + position)
    clicker = staff[2]
    Assignment.objects.create(
        organisation=org,
        person=clicker,
        module_key="phishing",
        reason="just_in_time",
        reason_detail="clicked the 'Factura pendiente' phishing simulation",
        assigned_at=now - timedelta(days=3),
        due_at=now + timedelta(days=11),
    )
    overdue = Assignment.objects.filter(organisation=org, completed_at__isnull=True, due_at__lt=now)
    # Their managers were told a week after the due date (the escalation job would have).
    for assignment in overdue:
        assignment.escalated_at = assignment.due_at + timedelta(days=policy.escalate_after_days)
        assignment.save(update_fields=["escalated_at"])
    people_late = overdue.values("person").distinct().count()
    total = Assignment.objects.filter(organisation=org).count()
    return f"{total} assignments, {people_late} people overdue"


def _assignment(
    person: Person,
    key: str,
    reason: str,
    assigned_at: datetime,
    due: datetime,
    done_at: datetime | None,
    seed_number: int,
) -> None:
    assignment = Assignment.objects.create(
        organisation=person.organisation,
        person=person,
        module_key=key,
        reason=reason,
        assigned_at=assigned_at,
        due_at=due,
    )
    if done_at is None:
        return
    questions = [q.id for q in shipped_library().modules[key].quizzes["en"].questions]
    hard = HARD_QUESTIONS.get(key)
    if hard and seed_number % 3 == 0:
        # A first attempt that failed on the hard question and one more, then a pass.
        missed = [hard, questions[seed_number % len(questions)]]
        _attempt(assignment, missed, len(questions), done_at - timedelta(minutes=9))
    missed = [hard] if hard and seed_number % 4 == 1 else []
    score = _attempt(assignment, missed, len(questions), done_at)
    assignment.completed_at, assignment.score = done_at, score
    assignment.save(update_fields=["completed_at", "score"])


def _attempt(assignment: Assignment, missed: list[str], total: int, at: datetime) -> int:
    missed = sorted(set(missed))
    score = (100 * (total - len(missed))) // total
    QuizAttempt.objects.create(
        organisation=assignment.organisation,
        person=assignment.person,
        assignment=assignment,
        module_key=assignment.module_key,
        language=assignment.person.language,
        missed=missed,
        score=score,
        passed=score >= 80,
        at=at,
    )
    return score


def _new_starter(person: Person, track: tuple[str, ...], now: datetime) -> None:
    joined = now - timedelta(days=10)
    Person.objects.filter(pk=person.pk).update(joined_at=joined)
    for position, key in enumerate(track):
        done_at = joined + timedelta(days=1 + position) if position < 2 else None
        _assignment(
            person, key, "onboarding", joined, joined + timedelta(days=30), done_at, position
        )
