"""Known data in each app, written straight into their tables, for the dashboard's tests.

Every date is an age before `now` (NOW by default, a fixed day). The tests that call the
dashboard's functions pass NOW to them too; the page tests, whose views measure at the real
clock, build around `timezone.now()` instead, so the ages the page sees are the same on any date.
"""

from datetime import datetime, timedelta
from typing import Any

from clinicshield.accounts.models import Organisation, Person, Site
from clinicshield.exposure.models import Finding, Network, ProbeRun, Scan, SegmentationPolicy
from clinicshield.readiness.models import CallTreeContact, Drill
from clinicshield.simulations.models import Campaign, Recipient, SendingProfile
from clinicshield.training.models import Assignment

NOW = datetime.fromisoformat("2026-11-20T10:00:00+00:00")


def staff(org: Organisation, site: Site, count: int, prefix: str) -> list[Person]:
    return [
        Person.objects.create(
            organisation=org,
            site=site,
            name=f"{prefix} {i}",
            email=f"{prefix.lower()}{i}@{org.slug}.example",
            department="reception",
        )
        for i in range(count)
    ]


def assign(
    person: Person,
    *,
    done_days_ago: int | None,
    due_days: int,
    key: str = "phishing",
    now: datetime = NOW,
) -> Assignment:
    return Assignment.objects.create(
        organisation=person.organisation,
        person=person,
        module_key=key,
        reason="onboarding",
        assigned_at=now - timedelta(days=400),
        due_at=now + timedelta(days=due_days),
        completed_at=None if done_days_ago is None else now - timedelta(days=done_days_ago),
    )


def campaign(org: Organisation, people: list[Person], *, days_ago: int, clicked: int,
             reported: int, now: datetime = NOW) -> Campaign:  # fmt: skip
    profile = SendingProfile.objects.create(
        organisation=org, name="relay", host="127.0.0.1", from_address="it@clinic.example"
    )
    launched = now - timedelta(days=days_ago)
    c = Campaign.objects.create(
        organisation=org, name=f"Invoice {days_ago}", template_key="invoice", kind="phishing",
        landing="login", sending_profile=profile, base_url="http://127.0.0.1:8000",
        state="finished", launched_at=launched,
    )  # fmt: skip
    for i, person in enumerate(people):
        Recipient.objects.create(
            campaign=c, person=person, email=person.email, name=person.name,
            site_name=person.site.name if person.site else "", department=person.department,
            status="clicked" if i < clicked else "sent", send_state="sent", sent_at=launched,
            reported_at=launched + timedelta(minutes=5) if i >= len(people) - reported else None,
        )  # fmt: skip
    return c


Port = tuple[str, int, str, str]  # address, port, service, severity


def network_with_scan(
    org: Organisation,
    site: Site,
    cidr: str,
    ports: list[Port],
    days_ago: int = 2,
    now: datetime = NOW,
) -> Network:
    network = Network.objects.create(organisation=org, site=site, zone="admin", cidr=cidr)
    scan = Scan.objects.create(
        organisation=org, network=network, targets=cidr, status="done",
        finished_at=now - timedelta(days=days_ago),
    )  # fmt: skip
    for address, port, service, severity in ports:
        Finding.objects.create(
            organisation=org, scan=scan, address=address, port=port, service=service,
            severity=severity, reason="base", change="new",
        )  # fmt: skip
    return network


POLICY = """
zones:
  admin: [10.1.0.0/24]
  clinical: [10.2.0.0/24]
rules:
  - from: admin
    to: clinical
    action: block
  - from: clinical
    to: admin
    action: block
"""


def segmentation(org: Organisation, verdicts: list[str], now: datetime = NOW) -> None:
    SegmentationPolicy.objects.create(organisation=org, text=POLICY)
    ProbeRun.objects.create(
        organisation=org, zone="admin", ran_at=now - timedelta(days=1),
        verdicts=[
            {"rule": i, "verdict": v, "action": "block", "ports": "any",
             "from": ["admin", "clinical"][i], "to": ["clinical", "admin"][i]}
            for i, v in enumerate(verdicts)
        ],
    )  # fmt: skip


def readiness(
    org: Organisation, *, drill_days_ago: int | None, contacts: list[str], now: datetime = NOW
) -> None:
    for kind in contacts:
        CallTreeContact.objects.create(organisation=org, kind=kind, name=kind, phone="600000000")
    if drill_days_ago is not None:
        Drill.objects.create(
            organisation=org, scenario_key="ransomware", language="en", facilitator="alice",
            status="finished", started_at=now - timedelta(days=drill_days_ago, hours=1),
            finished_at=now - timedelta(days=drill_days_ago),
        )  # fmt: skip


def seed_known(org: Organisation, now: datetime = NOW) -> dict[str, Any]:
    """Madrid (from the fixture) and Toledo: 10 staff each, a campaign, a scan, a policy."""
    madrid = Site.objects.get(organisation=org, name="Madrid")
    toledo = Site.objects.create(organisation=org, name="Toledo")
    in_madrid, in_toledo = staff(org, madrid, 10, "Madrid"), staff(org, toledo, 10, "Toledo")
    for person in in_madrid:  # all trained 30 days ago
        assign(person, done_days_ago=30, due_days=-60, now=now)
    for i, person in enumerate(in_toledo):  # 4 trained, 6 overdue
        assign(person, done_days_ago=30 if i < 4 else None, due_days=-60, now=now)
    campaign(org, in_madrid + in_toledo, days_ago=20, clicked=4, reported=10, now=now)
    network_with_scan(
        org, toledo, "10.1.2.0/24", [("10.1.2.20", 3389, "ms-wbt-server", "critical")], now=now
    )
    network_with_scan(org, madrid, "10.1.1.0/24", [("10.1.1.5", 22, "ssh", "low")], now=now)
    segmentation(org, ["held", "violated"], now=now)
    readiness(org, drill_days_ago=40, contacts=["owner", "it_support"], now=now)
    return {"madrid": madrid, "toledo": toledo}


def monitoring(org: Organisation, now: datetime = NOW) -> None:
    """Two log sources (one silent for two days) and three alerts (one high left for 3 days)."""
    from clinicshield.monitoring.models import Alert, LogSource

    LogSource.objects.create(organisation=org, name="entra", last_event_at=now - timedelta(hours=2))
    LogSource.objects.create(organisation=org, name="dc01", last_event_at=now - timedelta(days=2))
    for severity, age, status in (("high", 3, "open"), ("medium", 1, "acknowledged"),
                                  ("critical", 9, "resolved")):  # fmt: skip
        Alert.objects.create(
            organisation=org, kind="off_hours", severity=severity, key=f"{severity}-{age}",
            code="text", first_seen=now - timedelta(days=age), last_seen=now, status=status,
        )  # fmt: skip
