"""Measuring an organisation: each app's posture queries, turned into the core's Posture per scope.

A whole chain is measured with a handful of grouped queries (a few per app), whatever the
number of sites and staff: the posture queries aggregate in the database and return figures per
site, and the score of each site is then pure Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clinicshield.accounts.models import Organisation, Site
from clinicshield.exposure.posture import exposure_posture
from clinicshield.monitoring.posture import monitoring_posture
from clinicshield.readiness.posture import readiness_posture
from clinicshield.simulations.posture import simulation_posture
from clinicshield.training.posture import training_posture

from ..core.posture import (
    ExposureFigures,
    MonitoringFigures,
    Posture,
    ReadinessFigures,
    RiskyPort,
    SegmentationFigures,
    SimulationFigures,
    TrainingFigures,
)
from ..core.score import Score, compute_score


@dataclass
class Measurement:
    """The raw figures of every app, as the posture queries returned them."""

    now: datetime
    sites: list[tuple[int, str]]
    training: dict[str, Any]
    simulations: dict[str, Any]
    exposure: dict[str, Any]
    monitoring: dict[str, Any]
    readiness: dict[str, Any]


def measure(org: Organisation, now: datetime) -> Measurement:
    return Measurement(
        now=now,
        sites=list(
            Site.objects.filter(organisation=org).order_by("name").values_list("id", "name")
        ),
        training=training_posture(org, now),
        simulations=simulation_posture(org, now),
        exposure=exposure_posture(org, now),
        monitoring=monitoring_posture(org, now),
        readiness=readiness_posture(org, now),
    )


def _training(data: dict[str, Any], figures: dict[str, int] | None) -> TrainingFigures | None:
    if not data["set_up"]:
        return None
    figures = figures or {"staff": 0, "trained": 0, "overdue_people": 0}
    return TrainingFigures(
        staff=figures["staff"],
        trained=figures["trained"],
        overdue_people=figures["overdue_people"],
        overdue_assignments=figures.get("overdue_assignments", 0),
    )


def _simulations(data: dict[str, Any], figures: dict[str, Any] | None) -> SimulationFigures | None:
    if not data["set_up"]:
        return None
    if figures is None:  # campaigns exist, but none reached this site lately
        org_days = data["org"]["days_since_last_campaign"]
        return SimulationFigures(0, 0, 0, max(org_days, 181))
    return SimulationFigures(
        sent=figures["sent"],
        failed=figures["failed"],
        reported=figures["reported"],
        days_since_last_campaign=figures["days_since_last_campaign"],
    )


def _exposure(figures: dict[str, Any] | None) -> ExposureFigures | None:
    if figures is None:
        return None
    ports = tuple(
        RiskyPort(p["address"], p["port"], p["proto"], p["service"], p["severity"], p["site"] or "")
        for p in figures["risky_ports"]
    )
    return ExposureFigures(risky_ports=ports, days_since_last_scan=figures["days_since_last_scan"])


def _monitoring(data: dict[str, Any], figures: dict[str, Any] | None) -> MonitoringFigures | None:
    if not data["set_up"]:
        return None
    org = data["org"]
    figures = figures or {"sources": org["sources"], "reporting": org["reporting"]}
    return MonitoringFigures(
        sources=figures["sources"],
        reporting=figures["reporting"],
        stale_alerts=org["stale_alerts"],
        open_alerts=org["open_alerts"],
    )


def _readiness(data: dict[str, Any]) -> ReadinessFigures | None:
    if not data.get("set_up"):
        return None
    return ReadinessFigures(
        days_since_last_drill=data["days_since_last_drill"],
        call_tree_contacts=data["call_tree_contacts"],
        has_it_contact=data["has_it_contact"],
    )


def _segmentation(data: dict[str, Any]) -> SegmentationFigures | None:
    figures = data.get("segmentation")
    return SegmentationFigures(**figures) if figures else None


def org_posture(m: Measurement) -> Posture:
    return Posture(
        training=_training(m.training, m.training["org"]),
        simulations=_simulations(m.simulations, m.simulations["org"]),
        exposure=_exposure(m.exposure["org"]),
        segmentation=_segmentation(m.exposure),
        monitoring=_monitoring(m.monitoring, None),
        readiness=_readiness(m.readiness),
    )


def site_posture(m: Measurement, site_id: int, site_name: str) -> Posture:
    """A site's own training, simulations, ports and log sources; the organisation's
    segmentation, alerts, drills and protocols (they are kept for the whole organisation)."""
    exposure_site = m.exposure["sites"].get(site_id) if m.exposure["set_up"] else None
    return Posture(
        training=_training(m.training, m.training["sites"].get(site_id)),
        simulations=_simulations(m.simulations, m.simulations["sites"].get(site_name)),
        exposure=_exposure(exposure_site),
        segmentation=_segmentation(m.exposure),
        monitoring=_monitoring(m.monitoring, m.monitoring["sites"].get(site_id)),
        readiness=_readiness(m.readiness),
        site=site_name,
    )


@dataclass
class Scores:
    measurement: Measurement
    org: Score
    sites: list[tuple[int, Score]]  # (site id, score), in site name order


def compute_scores(org: Organisation, now: datetime) -> Scores:
    m = measure(org, now)
    sites = [(site_id, compute_score(site_posture(m, site_id, name))) for site_id, name in m.sites]
    return Scores(measurement=m, org=compute_score(org_posture(m)), sites=sites)
