"""The score of an organisation and of its sites, from known data in every app."""

from typing import Any

from clinicshield.dashboard.queries import compute_scores
from clinicshield.exposure.posture import exposure_posture
from clinicshield.monitoring.posture import monitoring_posture
from clinicshield.readiness.posture import readiness_posture
from clinicshield.simulations.posture import simulation_posture
from clinicshield.training.posture import training_posture
from tests.dashboard.builders import NOW, seed_known


def test_a_new_organisation_has_nothing_set_up_but_its_protocol_part(org_a: Any) -> None:
    scores = compute_scores(org_a, NOW)
    assert scores.org.total == 0
    statuses = {c.key: c.status for c in scores.org.components}
    assert set(statuses.values()) == {"not_set_up"}
    assert training_posture(org_a, NOW)["set_up"] is False
    assert simulation_posture(org_a, NOW)["set_up"] is False
    assert exposure_posture(org_a, NOW)["set_up"] is False
    assert monitoring_posture(org_a, NOW)["set_up"] is False


def test_posture_queries_count_what_was_seeded(org_a: Any) -> None:
    sites = seed_known(org_a)
    training = training_posture(org_a, NOW)
    assert training["org"] == {
        "staff": 20, "trained": 14, "overdue_people": 6, "overdue_assignments": 6,
    }  # fmt: skip
    assert training["sites"][sites["toledo"].pk]["trained"] == 4
    simulations = simulation_posture(org_a, NOW)
    assert simulations["org"] == {
        "sent": 20, "failed": 4, "reported": 10, "days_since_last_campaign": 20,
    }  # fmt: skip
    assert simulations["last_campaign"]["click_rate"] == 0.2
    assert simulations["last_campaign"]["report_rate"] == 0.5
    exposure = exposure_posture(org_a, NOW)
    assert [p["port"] for p in exposure["org"]["risky_ports"]] == [3389]
    assert exposure["segmentation"] == {"rules": 2, "violated": 1, "untested": 0}
    readiness = readiness_posture(org_a, NOW)
    assert readiness["days_since_last_drill"] == 40
    assert (readiness["call_tree_contacts"], readiness["has_it_contact"]) == (2, True)


def test_the_score_adds_up_from_the_seeded_data(org_a: Any) -> None:
    seed_known(org_a)
    scores = compute_scores(org_a, NOW)
    points = {c.key: c.points for c in scores.org.components}
    assert points == {
        "training": 17.5, "simulations": 11.5, "exposure": 8.3,
        "monitoring": 0.0, "drills": 10.0, "protocols": 8.3,
    }  # fmt: skip
    assert scores.org.total == 56
    per_site = {scores.measurement.sites[i][1]: s.total for i, (_id, s) in enumerate(scores.sites)}
    assert per_site == {"Madrid": 67, "Toledo": 52}


def test_closing_the_rdp_port_is_among_the_next_actions_with_its_site(org_a: Any) -> None:
    seed_known(org_a)
    actions = compute_scores(org_a, NOW).org.next_actions(limit=10)
    close = [a for a in actions if a.code == "close_port"]
    assert close and close[0].params["address"] == "10.1.2.20"
    assert close[0].params["site"] == "Toledo"
    assert close[0].points == 8  # 12 - 12 x 0.36
    assert actions[0].points >= actions[-1].points


def test_monitoring_counts_silent_sources_and_alerts_left_waiting(org_a: Any) -> None:
    from tests.dashboard.builders import monitoring

    monitoring(org_a)
    figures = monitoring_posture(org_a, NOW)
    assert figures["org"] == {
        "sources": 2, "reporting": 1, "open_by_severity": {"high": 1, "medium": 1},
        "open_alerts": 2, "stale_alerts": 1,
    }  # fmt: skip
    component = compute_scores(org_a, NOW).org.component("monitoring")
    assert component.points == 11.6  # 12 x 1/2 + 8 x 0.7
    assert {a.code for a in component.actions} == {"fix_silent_sources", "triage_alerts"}
