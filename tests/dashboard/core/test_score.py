"""The score from known figures: each component's points, evidence and actions."""

from clinicshield.dashboard.core.document import score_document
from clinicshield.dashboard.core.posture import (
    ExposureFigures,
    MonitoringFigures,
    Posture,
    ReadinessFigures,
    RiskyPort,
    SegmentationFigures,
    SimulationFigures,
    TrainingFigures,
)
from clinicshield.dashboard.core.score import (
    NOT_SET_UP,
    WEIGHTS,
    compute_score,
    score_drills,
    score_exposure,
    score_monitoring,
    score_protocols,
    score_simulations,
    score_training,
)

RDP = RiskyPort("10.1.2.20", 3389, "tcp", "ms-wbt-server", "critical", "Toledo")
SMB = RiskyPort("10.1.2.21", 445, "tcp", "microsoft-ds", "high", "Toledo")

PERFECT = Posture(
    training=TrainingFigures(staff=10, trained=10, overdue_people=0),
    simulations=SimulationFigures(sent=10, failed=0, reported=10, days_since_last_campaign=10),
    exposure=ExposureFigures(risky_ports=(), days_since_last_scan=1),
    segmentation=SegmentationFigures(rules=4, violated=0, untested=0),
    monitoring=MonitoringFigures(sources=3, reporting=3, stale_alerts=0),
    readiness=ReadinessFigures(days_since_last_drill=30, call_tree_contacts=4, has_it_contact=True),
)


def test_weights_add_up_to_one_hundred() -> None:
    assert sum(WEIGHTS.values()) == 100


def test_it_gives_nothing_and_says_not_set_up_when_nothing_is_set_up() -> None:
    score = compute_score(Posture())
    assert score.total == 0
    assert {c.status for c in score.components} == {NOT_SET_UP}
    assert all(c.actions for c in score.components)


def test_it_gives_one_hundred_to_a_clinic_that_does_everything() -> None:
    score = compute_score(PERFECT)
    assert score.total == 100
    assert score.next_actions() == []


def test_training_counts_coverage_and_overdue_people() -> None:
    component = score_training(TrainingFigures(staff=20, trained=10, overdue_people=5))
    # 15 x 10/20 + 10 x (1 - 5/20) = 7.5 + 7.5
    assert component.points == 15.0
    assert component.evidence["coverage"] == 0.5
    worth = {a.code: a.points for a in component.actions}
    assert worth == {"train_staff": 8, "chase_overdue": 2}


def test_simulations_weigh_reports_against_failures_and_recency() -> None:
    recent = score_simulations(
        SimulationFigures(sent=100, failed=20, reported=40, days_since_last_campaign=30)
    )
    # 10 x (0.5 x 0.8 + 0.5 x 0.4) + 5
    assert recent.points == 11.0
    old = score_simulations(
        SimulationFigures(sent=100, failed=20, reported=40, days_since_last_campaign=200)
    )
    assert old.points == 6.0
    assert ("launch_campaign", 5) in [(a.code, a.points) for a in old.actions]


def test_closing_rdp_is_worth_the_most_and_names_host_and_site() -> None:
    exposure = ExposureFigures(risky_ports=(RDP, SMB), days_since_last_scan=2)
    component = score_exposure(exposure, SegmentationFigures(rules=2, violated=0, untested=0))
    # 12 x 0.6^3 + 8 = 10.592
    assert component.points == 10.6
    close = [a for a in component.actions if a.code == "close_port"]
    assert [a.params["port"] for a in close] == [3389, 445]
    assert close[0].points > close[1].points > 0
    assert close[0].params["site"] == "Toledo"
    all_ports = [a for a in component.actions if a.code == "close_risky_ports"]
    assert [(a.points, a.params["count"]) for a in all_ports] == [(9, 2)]  # 12 - 12 x 0.6^3


def test_with_many_ports_open_closing_them_all_is_the_action_worth_having() -> None:
    ports = tuple(RiskyPort(f"10.0.0.{i}", 445, "tcp", "smb", "high") for i in range(8))
    component = score_exposure(ExposureFigures(risky_ports=ports, days_since_last_scan=1), None)
    worth = {a.code: a.points for a in component.actions}
    assert worth["close_port"] == 0 and worth["close_risky_ports"] == 12


def test_a_stale_scan_halves_the_port_points() -> None:
    fresh = score_exposure(ExposureFigures((), 3), None)
    stale = score_exposure(ExposureFigures((), 45), None)
    assert (fresh.points, stale.points) == (12.0, 6.0)
    assert "write_segmentation_policy" in [a.code for a in fresh.actions]
    assert ("run_scan", 6) in [(a.code, a.points) for a in stale.actions]


def test_segmentation_violations_cost_points() -> None:
    held = score_exposure(ExposureFigures((), 1), SegmentationFigures(4, 0, 0))
    violated = score_exposure(ExposureFigures((), 1), SegmentationFigures(4, 1, 0))
    assert held.points - violated.points == 4.0
    assert [a.code for a in violated.actions] == ["fix_segmentation"]


def test_monitoring_counts_silent_sources_and_stale_alerts() -> None:
    component = score_monitoring(MonitoringFigures(sources=4, reporting=2, stale_alerts=2))
    # 12 x 2/4 + 8 x 0.49
    assert component.points == 9.9
    assert component.evidence["silent"] == 2
    assert {a.code for a in component.actions} == {"fix_silent_sources", "triage_alerts"}


def test_a_drill_counts_for_six_months() -> None:
    assert score_drills(ReadinessFigures(180, 0, False)).points == 10
    old = score_drills(ReadinessFigures(200, 0, False))
    assert old.points == 0 and old.actions[0].code == "run_drill"
    assert score_drills(ReadinessFigures(None, 0, False)).status == NOT_SET_UP


def test_protocols_need_a_call_tree_and_an_it_contact() -> None:
    assert score_protocols(ReadinessFigures(None, 3, True)).points == 10
    partial = score_protocols(ReadinessFigures(None, 1, False))
    assert partial.points == 1.7
    assert {a.code for a in partial.actions} == {"complete_call_tree", "add_it_contact"}
    assert score_protocols(ReadinessFigures(None, 0, False)).status == NOT_SET_UP


def test_next_actions_are_ranked_by_points() -> None:
    posture = Posture(
        training=TrainingFigures(staff=10, trained=5, overdue_people=0),
        exposure=ExposureFigures(risky_ports=(RDP,), days_since_last_scan=2),
    )
    actions = compute_score(posture).next_actions(limit=10)
    points = [a.points for a in actions]
    assert points == sorted(points, reverse=True)
    assert actions[0].points >= 10


def test_the_document_is_plain_json_data() -> None:
    import json

    document = score_document(compute_score(PERFECT))
    assert json.loads(json.dumps(document))["total"] == 100
    assert [c["key"] for c in document["components"]] == list(WEIGHTS)


def test_a_kept_document_gives_back_the_same_score() -> None:
    from clinicshield.dashboard.core.document import score_from_document

    score = compute_score(
        Posture(exposure=ExposureFigures(risky_ports=(RDP,), days_since_last_scan=2))
    )
    assert score_from_document(score_document(score)) == score
