"""What the score is computed from: measured figures per capability, as plain data.

The Django side fills these from each app's posture queries; `None` for a capability means it is
not set up (no training ever assigned, no campaign ever launched, no network registered...).
Nothing here reads a clock or a database: `now` is already folded into the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TrainingFigures:
    staff: int  # active staff in scope
    trained: int  # of them, with a completion that is still current (within the refresh period)
    overdue_people: int  # of them, with at least one overdue assignment
    overdue_assignments: int = 0


@dataclass(frozen=True)
class SimulationFigures:
    sent: int  # emails sent by the recent campaigns (the last 180 days)
    failed: int  # recipients who clicked, submitted, copied or executed
    reported: int  # recipients who reported the email
    days_since_last_campaign: int | None  # None when no campaign reached this scope


@dataclass(frozen=True)
class RiskyPort:
    """An open high-risk port in the latest scan of a network."""

    address: str
    port: int
    proto: str
    service: str
    severity: str  # "high" or "critical"
    site: str = ""


@dataclass(frozen=True)
class ExposureFigures:
    risky_ports: tuple[RiskyPort, ...]
    days_since_last_scan: int | None  # None: networks registered but never scanned


@dataclass(frozen=True)
class SegmentationFigures:
    rules: int
    violated: int
    untested: int  # rules never tested, or whose last test was inconclusive


@dataclass(frozen=True)
class MonitoringFigures:
    sources: int
    reporting: int  # sources with an event in the last 24 hours
    stale_alerts: int  # unresolved past their allowance (high/critical 24 h, others 7 days)
    open_alerts: int = 0


@dataclass(frozen=True)
class ReadinessFigures:
    days_since_last_drill: int | None  # None: no drill finished yet
    call_tree_contacts: int
    has_it_contact: bool


@dataclass(frozen=True)
class Posture:
    """Everything the score of one scope (an organisation or one of its sites) needs."""

    training: TrainingFigures | None = None
    simulations: SimulationFigures | None = None
    exposure: ExposureFigures | None = None
    segmentation: SegmentationFigures | None = None
    monitoring: MonitoringFigures | None = None
    readiness: ReadinessFigures | None = None
    site: str = ""  # empty for the whole organisation
    notes: dict[str, str] = field(default_factory=dict)
