"""Reads of the readiness app, shared by pages, API, CLI, actions, emails and due jobs;
nothing here writes."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Max, QuerySet

from clinicshield.accounts.models import Organisation, Person
from clinicshield.lib.core.months import add_months

from .core.catalogue import shipped_catalogue
from .core.clock import BreachFacts, Deadline, notification_deadlines
from .core.planning import Adaptation, check_adaptation
from .core.reminders import DUE_SOON_NOTICE
from .core.schema import Scenario
from .core.scoring import DrillScore, score_drill
from .models import Drill, Incident, IncidentTask, PlaybookAdaptation, ReadinessProfile

DRILL_INTERVAL_MONTHS = 6  # "run a drill every six months"
OPEN_TASK_STATUSES = ("todo", "doing")


def organisation_language(org: Organisation) -> str:
    """The language most of the staff use: incidents and emails default to it."""
    counts = Counter(org.people.filter(active=True).values_list("language", flat=True))
    return counts.most_common(1)[0][0] if counts else settings.LANGUAGE_CODE


def staff_language(org: Organisation, email: str) -> str | None:
    """The language of the organisation's staff record with this address, if there is one."""
    people = Person.objects.filter(organisation=org, email__iexact=email)
    return people.values_list("language", flat=True).first()


def tasks_to_remind(now: datetime) -> QuerySet[IncidentTask]:
    """Open tasks of incidents not closed, due within the notice and not yet reminded as
    overdue, whose owner is still a member of the organisation and has an address."""
    return (
        IncidentTask.objects.filter(
            status__in=OPEN_TASK_STATUSES,
            due_at__lte=now + DUE_SOON_NOTICE,
            overdue_reminded_at__isnull=True,
            owner__memberships__organisation=F("incident__organisation"),
        )
        .exclude(incident__status="closed")
        .exclude(owner__email="")
        .select_related("owner", "incident__organisation")
    )


def regimes_of(org: Organisation) -> list[str]:
    """The notification rules the organisation chose; GDPR until it chooses."""
    chosen = ReadinessProfile.objects.filter(organisation=org).values_list("regimes", flat=True)
    return list(chosen.first() or ["gdpr"])


def incident_deadlines(incident: Incident, now: datetime) -> list[Deadline]:
    """The notification clock of an incident; empty until the clinic is aware of a breach."""
    if incident.aware_at is None:
        return []
    local = ZoneInfo(incident.organisation.timezone)
    facts = BreachFacts(
        aware_at=incident.aware_at.astimezone(local),
        regimes=regimes_of(incident.organisation),
        affected_individuals=incident.affected_individuals,
        largest_state_count=incident.largest_state_count,
        high_risk_to_individuals=incident.high_risk,
    )
    sent_at = {code: datetime.fromisoformat(at) for code, at in incident.notified_at.items()}
    return notification_deadlines(
        facts, now.astimezone(local), done=incident.notified, sent_at=sent_at
    )


def adaptation_for(org: Organisation, playbook_key: str) -> Adaptation | None:
    row = PlaybookAdaptation.objects.filter(organisation=org, playbook_key=playbook_key).first()
    if row is None:
        return None
    playbook = shipped_catalogue().playbook(playbook_key, "en")
    adaptation, _problems = check_adaptation(playbook, row.data)
    return adaptation  # a row that no longer validates (content changed) is ignored, not fatal


def scenario_of(drill: Drill) -> Scenario:
    return shipped_catalogue().scenario(drill.scenario_key, drill.language)


def shown_inject_ids(drill: Drill) -> list[str]:
    return [entry["inject"] for entry in drill.shown]


def drill_score(drill: Drill) -> DrillScore:
    answers = {d.question_id: d.action_ids for d in drill.decisions.all()}
    return score_drill(scenario_of(drill), answers)


def _start_of_day_months_later(moment: datetime, months: int, zone: ZoneInfo) -> datetime:
    """The start of the same day of the month `months` later, in `zone`; the month's last day
    when it is shorter (31 August + 6 months is 28 February, or 29 in a leap year)."""
    day = moment.astimezone(zone).date()
    return add_months(datetime.combine(day, time(), tzinfo=zone), months)


def drill_due_since(org: Organisation) -> datetime:
    """When the next drill became due: six calendar months after the day of the last one (or
    of sign-up), from the start of that day in the clinic's time zone. A fixed 182 days fell
    before the six months the reminder speaks of (1 March + 182 days is 30 August)."""
    last = org.drills.filter(status="finished").aggregate(last=Max("finished_at"))["last"]
    return _start_of_day_months_later(
        last or org.created_at, DRILL_INTERVAL_MONTHS, ZoneInfo(org.timezone)
    )


def scenario_rows() -> list[dict[str, Any]]:
    """The shipped tabletop scenarios, for `clinicshield drills scenarios` and the API."""
    catalogue = shipped_catalogue()
    rows = []
    for key, scenario in catalogue.scenarios["en"].items():
        rows.append(
            {
                "key": key,
                "title": scenario.title,
                "languages": catalogue.languages_of_scenario(key),
                "duration_minutes": scenario.duration_minutes,
                "injects": len(scenario.injects),
                "areas": [area.key for area in scenario.areas],
                "playbooks": scenario.playbooks,
            }
        )
    return rows
