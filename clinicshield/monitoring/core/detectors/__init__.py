"""Detectors: one module per family, each a function ``(con, table, ctx) -> list[Finding]``.

Every detector is built from Ibis expressions and runs on whichever backend ``con`` is
(DuckDB on one box, Spark for a chain). ``run_detectors`` runs them all over an
organisation's event store and returns typed findings; saving them as alerts is the job
of ``clinicshield.monitoring.actions``.
"""

from typing import TYPE_CHECKING, Any

from .context import DetectionContext, OpeningHours
from .findings import SEVERITIES, Finding
from .settings import DetectionSettings

if TYPE_CHECKING:
    from .registry import DETECTORS, run_detectors

__all__ = [
    "DETECTORS",
    "SEVERITIES",
    "DetectionContext",
    "DetectionSettings",
    "Finding",
    "OpeningHours",
    "run_detectors",
]


def __getattr__(name: str) -> Any:
    # The registry imports every detector, and detectors import core.baselines, which imports
    # this package's small modules: loading the registry lazily keeps that cycle open.
    if name in ("DETECTORS", "run_detectors"):
        from . import registry

        return getattr(registry, name)
    raise AttributeError(name)
