"""The security score: 0-100 from measured components, each with its evidence and its actions.

Weights (they add up to 100; docs/dashboard.md explains each):

- training, 25: 15 x share of staff with current training + 10 x share with nothing overdue.
- simulations, 15: 10 x resilience (half "did not fall for it", half "reported it") + 5 for
  a campaign in the last 90 days.
- exposure, 20: 12 x 0.6^w for open high-risk ports (w: 1 per high, 2 per critical; halved
  when the last scan is over 30 days old) + 8 x tested share x 0.5^violations (segmentation).
- monitoring, 20: 12 x share of log sources that reported in the last 24 h
  + 8 x 0.7^(alerts left unresolved too long).
- drills, 10: a tabletop drill finished in the last six months.
- protocols, 10: 5 for a call tree of three or more contacts (pro rata) + 5 for an IT contact.

A capability that is not set up scores 0 and says so. The geometric terms make every fix
worth something: closing one of three risky ports still raises the score. An action's worth
is the score's rise if that one thing were done, so actions can be ranked honestly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .posture import (
    ExposureFigures,
    MonitoringFigures,
    Posture,
    ReadinessFigures,
    SegmentationFigures,
    SimulationFigures,
    TrainingFigures,
)

WEIGHTS: dict[str, int] = {
    "training": 25,
    "simulations": 15,
    "exposure": 20,
    "monitoring": 20,
    "drills": 10,
    "protocols": 10,
}
COMPONENTS = tuple(WEIGHTS)
NOT_SET_UP, GOOD, ATTENTION, POOR = "not_set_up", "good", "attention", "poor"

CAMPAIGN_RECENT_DAYS = 90
SCAN_STALE_DAYS = 30
DRILL_RECENT_DAYS = 183  # six months
CALL_TREE_FULL = 3
PORT_FACTOR = 0.6
SEVERITY_WEIGHT = {"high": 1, "critical": 2}


@dataclass(frozen=True)
class Action:
    """Something to do, what it is worth, and where in the product it is done."""

    code: str
    points: int
    target: str  # a URL name under /o/<org>/, e.g. "exposure:index"
    params: dict[str, Any] = field(default_factory=dict)
    up_to: bool = False  # worth at most this much: the result depends on what is measured then


@dataclass(frozen=True)
class Component:
    key: str
    weight: int
    points: float
    status: str
    evidence: dict[str, Any]
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class Score:
    total: int
    components: tuple[Component, ...]
    site: str = ""

    def component(self, key: str) -> Component:
        return next(c for c in self.components if c.key == key)

    def next_actions(self, limit: int = 5) -> list[Action]:
        return rank_actions([a for c in self.components for a in c.actions], limit)


def rank_actions(actions: list[Action], limit: int = 5) -> list[Action]:
    """The actions worth most first; ties keep a stable, readable order."""
    ranked = sorted(actions, key=lambda a: (-a.points, a.up_to, a.code, str(a.params)))
    return [a for a in ranked if a.points > 0][:limit]


def status_of(points: float, weight: int) -> str:
    if points >= 0.8 * weight:
        return GOOD
    return ATTENTION if points >= 0.5 * weight else POOR


def _round(points: float) -> float:
    return round(points, 1)


def _gain(after: float, before: float) -> int:
    return max(0, round(after - before))


def _not_set_up(key: str, action: Action) -> Component:
    return Component(key, WEIGHTS[key], 0.0, NOT_SET_UP, {}, (action,))


# --------------------------------------------------------------------------- training


def _training_points(t: TrainingFigures) -> float:
    if t.staff == 0:
        return 0.0
    return 15 * t.trained / t.staff + 10 * (1 - t.overdue_people / t.staff)


def score_training(t: TrainingFigures | None) -> Component:
    if t is None or t.staff == 0:
        return _not_set_up("training", Action("start_training", 25, "training:index", up_to=True))
    points = _training_points(t)
    actions = []
    untrained = t.staff - t.trained
    if untrained:
        after = _training_points(replace(t, trained=t.staff))
        actions.append(
            Action("train_staff", _gain(after, points), "training:people", {"count": untrained})
        )
    if t.overdue_people:
        after = _training_points(replace(t, overdue_people=0))
        actions.append(
            Action(
                "chase_overdue",
                _gain(after, points),
                "training:index",
                {"count": t.overdue_people, "assignments": t.overdue_assignments},
            )
        )
    evidence = {
        "staff": t.staff,
        "trained": t.trained,
        "coverage": t.trained / t.staff,
        "overdue_people": t.overdue_people,
        "overdue_assignments": t.overdue_assignments,
    }
    weight = WEIGHTS["training"]
    return Component(
        "training", weight, _round(points), status_of(points, weight), evidence, tuple(actions)
    )


# --------------------------------------------------------------------------- simulations


def _resilience(s: SimulationFigures) -> float:
    """0..1: half for not falling for the lure, half for reporting it."""
    if s.sent == 0:
        return 0.0
    return 0.5 * (1 - s.failed / s.sent) + 0.5 * (s.reported / s.sent)


def score_simulations(s: SimulationFigures | None) -> Component:
    key = "simulations"
    if s is None or s.days_since_last_campaign is None:
        return _not_set_up(key, Action("launch_campaign", 15, "simulations:index", up_to=True))
    recent = s.days_since_last_campaign <= CAMPAIGN_RECENT_DAYS and s.sent > 0
    resilience = _resilience(s)
    points = 10 * resilience + (5 if recent else 0)
    actions = []
    if not recent:
        actions.append(
            Action("launch_campaign", 5, "simulations:index", {"days": s.days_since_last_campaign})
        )
    if resilience < 1 and s.sent:
        actions.append(
            Action(
                "encourage_reporting",
                _gain(10, 10 * resilience),
                "simulations:index",
                {"report_rate": s.reported / s.sent, "failure_rate": s.failed / s.sent},
                up_to=True,
            )
        )
    evidence = {
        "sent": s.sent,
        "failed": s.failed,
        "reported": s.reported,
        "failure_rate": s.failed / s.sent if s.sent else None,
        "report_rate": s.reported / s.sent if s.sent else None,
        "days_since_last_campaign": s.days_since_last_campaign,
    }
    weight = WEIGHTS[key]
    return Component(
        key, weight, _round(points), status_of(points, weight), evidence, tuple(actions)
    )


# --------------------------------------------------------------------------- exposure


def _ports_points(e: ExposureFigures, ports: tuple[Any, ...] | None = None) -> float:
    if e.days_since_last_scan is None:
        return 0.0
    risk = sum(
        SEVERITY_WEIGHT.get(p.severity, 1) for p in (e.risky_ports if ports is None else ports)
    )
    points = 12 * PORT_FACTOR**risk
    return points / 2 if e.days_since_last_scan > SCAN_STALE_DAYS else points


def _segmentation_points(g: SegmentationFigures | None) -> float:
    if g is None or g.rules == 0:
        return 0.0
    tested = g.rules - g.untested
    return 8 * (tested / g.rules) * 0.5**g.violated


def _port_actions(e: ExposureFigures, now_points: float) -> list[Action]:
    actions = []
    for port in e.risky_ports:
        others = tuple(p for p in e.risky_ports if p is not port)
        gain = _gain(_ports_points(e, others), now_points)
        params = {
            "address": port.address,
            "port": port.port,
            "proto": port.proto,
            "service": port.service,
            "severity": port.severity,
            "site": port.site,
        }
        actions.append(Action("close_port", gain, "exposure:host", params))
    if len(e.risky_ports) > 1:
        # With several ports open, closing any one alone is worth little; all of them is not.
        gain = _gain(_ports_points(e, ()), now_points)
        count = len(e.risky_ports)
        actions.append(Action("close_risky_ports", gain, "exposure:index", {"count": count}))
    return actions


def _segmentation_actions(g: SegmentationFigures | None) -> list[Action]:
    if g is None or g.rules == 0:
        return [Action("write_segmentation_policy", 8, "exposure:segmentation", up_to=True)]
    now = _segmentation_points(g)
    actions = []
    if g.violated:
        gain = _gain(_segmentation_points(replace(g, violated=0)), now)
        actions.append(
            Action("fix_segmentation", gain, "exposure:segmentation", {"count": g.violated})
        )
    if g.untested:
        gain = _gain(_segmentation_points(replace(g, untested=0)), now)
        actions.append(
            Action("probe_segmentation", gain, "exposure:segmentation", {"count": g.untested})
        )
    return actions


def score_exposure(e: ExposureFigures | None, g: SegmentationFigures | None) -> Component:
    key = "exposure"
    if e is None:
        return _not_set_up(key, Action("register_networks", 20, "exposure:index", up_to=True))
    ports = _ports_points(e)
    points = ports + _segmentation_points(g)
    actions: list[Action] = []
    if e.days_since_last_scan is None:
        actions.append(Action("run_scan", 12, "exposure:index", up_to=True))
    else:
        actions += _port_actions(e, ports)
        if e.days_since_last_scan > SCAN_STALE_DAYS:
            actions.append(
                Action(
                    "run_scan",
                    _gain(2 * ports, ports),
                    "exposure:index",
                    {"days": e.days_since_last_scan},
                )
            )
    actions += _segmentation_actions(g)
    evidence = {
        "risky_ports": len(e.risky_ports),
        "critical_ports": sum(p.severity == "critical" for p in e.risky_ports),
        "days_since_last_scan": e.days_since_last_scan,
        "segmentation_rules": g.rules if g else None,
        "segmentation_violated": g.violated if g else None,
        "segmentation_untested": g.untested if g else None,
    }
    weight = WEIGHTS[key]
    return Component(
        key, weight, _round(points), status_of(points, weight), evidence, tuple(actions)
    )


# --------------------------------------------------------------------------- monitoring


def _monitoring_points(m: MonitoringFigures) -> float:
    if m.sources == 0:
        return 0.0
    return 12 * m.reporting / m.sources + 8 * 0.7**m.stale_alerts


def score_monitoring(m: MonitoringFigures | None) -> Component:
    key = "monitoring"
    if m is None or m.sources == 0:
        return _not_set_up(key, Action("connect_log_source", 20, "monitoring:index", up_to=True))
    points = _monitoring_points(m)
    actions = []
    silent = m.sources - m.reporting
    if silent:
        gain = _gain(_monitoring_points(replace(m, reporting=m.sources)), points)
        actions.append(Action("fix_silent_sources", gain, "monitoring:index", {"count": silent}))
    if m.stale_alerts:
        gain = _gain(_monitoring_points(replace(m, stale_alerts=0)), points)
        actions.append(
            Action("triage_alerts", gain, "monitoring:alerts", {"count": m.stale_alerts})
        )
    evidence = {
        "sources": m.sources,
        "reporting": m.reporting,
        "silent": silent,
        "open_alerts": m.open_alerts,
        "stale_alerts": m.stale_alerts,
    }
    weight = WEIGHTS[key]
    return Component(
        key, weight, _round(points), status_of(points, weight), evidence, tuple(actions)
    )


# --------------------------------------------------------------------------- readiness


def score_drills(r: ReadinessFigures | None) -> Component:
    key = "drills"
    days = r.days_since_last_drill if r else None
    if days is None:
        return _not_set_up(key, Action("run_drill", 10, "readiness:drills"))
    recent = days <= DRILL_RECENT_DAYS
    points = 10.0 if recent else 0.0
    actions = () if recent else (Action("run_drill", 10, "readiness:drills", {"days": days}),)
    evidence = {"days_since_last_drill": days}
    return Component(key, WEIGHTS[key], points, status_of(points, WEIGHTS[key]), evidence, actions)


def _protocol_points(r: ReadinessFigures) -> float:
    return 5 * min(r.call_tree_contacts, CALL_TREE_FULL) / CALL_TREE_FULL + (
        5 if r.has_it_contact else 0
    )


def score_protocols(r: ReadinessFigures | None) -> Component:
    key = "protocols"
    if r is None:
        return _not_set_up(key, Action("complete_call_tree", 10, "readiness:call_tree"))
    points = _protocol_points(r)
    actions = []
    if r.call_tree_contacts < CALL_TREE_FULL:
        gain = _gain(_protocol_points(replace(r, call_tree_contacts=CALL_TREE_FULL)), points)
        missing = CALL_TREE_FULL - r.call_tree_contacts
        actions.append(
            Action("complete_call_tree", gain, "readiness:call_tree", {"count": missing})
        )
    if not r.has_it_contact:
        actions.append(Action("add_it_contact", 5, "readiness:call_tree"))
    evidence = {"call_tree_contacts": r.call_tree_contacts, "has_it_contact": r.has_it_contact}
    weight = WEIGHTS[key]
    status = NOT_SET_UP if points == 0 else status_of(points, weight)
    return Component(key, weight, _round(points), status, evidence, tuple(actions))


# --------------------------------------------------------------------------- total


def compute_score(posture: Posture) -> Score:
    components = (
        score_training(posture.training),
        score_simulations(posture.simulations),
        score_exposure(posture.exposure, posture.segmentation),
        score_monitoring(posture.monitoring),
        score_drills(posture.readiness),
        score_protocols(posture.readiness),
    )
    total = round(sum(c.points for c in components))
    return Score(total=max(0, min(100, total)), components=components, site=posture.site)
