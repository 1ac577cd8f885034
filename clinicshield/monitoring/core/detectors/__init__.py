"""Detectors: one module per family, each a function ``(con, table, ctx) -> list[Finding]``.

Every detector is built from Ibis expressions and runs on whichever backend ``con`` is
(DuckDB on one box, Spark for a chain). ``registry.run_detectors`` runs them all over an
organisation's event store and returns typed findings; saving them as alerts is the job
of ``clinicshield.monitoring.actions``. This package's own names load without Ibis, so
that code which only handles findings does not pay for it.
"""

from .context import DetectionContext, OpeningHours
from .findings import SEVERITIES, Finding
from .settings import DetectionSettings

__all__ = [
    "SEVERITIES",
    "DetectionContext",
    "DetectionSettings",
    "Finding",
    "OpeningHours",
]
