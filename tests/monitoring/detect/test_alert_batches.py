"""A pass raises its findings as one batch: the same alerts as one call per finding."""

from datetime import timedelta

from clinicshield.monitoring.actions import do_mark_false_positive, do_raise_alert
from clinicshield.monitoring.actions.alerts import do_raise_alerts
from clinicshield.monitoring.models import Alert, Suppression

from .conftest import at

START = at("2025-02-03 03:00")


def sighting(day: int, key: str = "off_hours:ana", **extra) -> dict:
    values = {
        "kind": "off_hours",
        "severity": "medium",
        "key": key,
        "explanation": {"code": "off_hours.habit", "params": {"user": "ana", "day": day}},
        "ts": START + timedelta(days=day),
        "last_seen": START + timedelta(days=day, minutes=5),
        "count": 2,
        "user": key.split(":")[-1],
        "evidence": {"record_refs": [f"line {day}"]},
    }
    values.update(extra)
    return values


def a_week_of_sightings() -> list[dict]:
    """Ana every night, Bob twice (suppressed for him), a night seen twice (overlap), a
    brute force whose bursts are a week apart (two alerts), Carlos once high, and a shared
    account whose nights from the night-shift desk (suppressed) fall between others."""
    sightings = [sighting(day) for day in range(7)]
    sightings += [
        sighting(day, key="off_hours:desk", src_ip=address)
        for day, address in ((0, "10.0.0.1"), (1, "10.9.9.9"), (2, "10.0.0.1"))
    ]
    sightings += [sighting(2), sighting(1, key="off_hours:bob"), sighting(4, key="off_hours:bob")]
    sightings += [
        sighting(0, key="off_hours:carlos", severity="low"),
        sighting(3, key="off_hours:carlos", severity="high"),
    ]
    for day in (0, 1, 8):
        sightings.append(
            sighting(
                day,
                kind="brute_force",
                key="brute_force:user:ana",
                explanation={"code": "brute_force.user", "params": {"user": "ana"}},
                evidence={"record_refs": [f"burst {day}"], "tally": [[1738555200 + day, "ip", 12]]},
            )
        )
    return sorted(sightings, key=lambda s: (s["ts"], s["kind"], s["key"]))


def alerts_of(org) -> list[tuple]:
    return [
        (a.kind, a.key, a.severity, a.first_seen, a.last_seen, a.count, a.evidence, a.params)
        for a in Alert.objects.filter(organisation=org).order_by("kind", "key", "first_seen")
    ]


def test_a_batch_raises_exactly_what_one_call_per_sighting_raises(org_a, org_b, alice, charlie):
    bob_ignored = do_raise_alert(org_a, **sighting(-30, key="off_hours:bob"))
    do_mark_false_positive(bob_ignored, alice, "Bob works nights")
    for org in (org_a, org_b):
        Suppression.objects.create(organisation=org, kind="off_hours", src_ip="10.9.9.9")
    one_by_one = [do_raise_alert(org_a, **s) for s in a_week_of_sightings()]
    bob_there = do_raise_alert(org_b, **sighting(-30, key="off_hours:bob"))
    do_mark_false_positive(bob_there, charlie, "Bob works nights")
    batched = do_raise_alerts(org_b, a_week_of_sightings())
    assert [a is None for a in batched] == [a is None for a in one_by_one]
    assert alerts_of(org_b) == alerts_of(org_a)
    ana = Alert.objects.get(organisation=org_b, key="off_hours:ana")
    # Seven nights (one seen twice) grew one alert: the overlap added nothing.
    assert ana.count == 14 and len(ana.evidence["record_refs"]) == 7
    assert Alert.objects.filter(organisation=org_b, kind="brute_force").count() == 2


def test_a_resolved_alert_is_not_grown_by_a_batch_of_what_it_covered(org_a, alice):
    from clinicshield.monitoring.actions import do_resolve_alert

    first = do_raise_alert(org_a, **sighting(0))
    do_raise_alert(org_a, **sighting(1))
    do_resolve_alert(Alert.objects.get(pk=first.pk), alice)
    results = do_raise_alerts(org_a, [sighting(0), sighting(1), sighting(2), sighting(3)])
    # The two nights it covered come back as the closed alert; the next opens a new one,
    # which the fourth night grows.
    assert [r.pk == first.pk for r in results] == [True, True, False, False]
    fresh = Alert.objects.exclude(pk=first.pk).get(organisation=org_a)
    assert (fresh.count, fresh.first_seen) == (4, START + timedelta(days=2))
