"""Reads of the training app, shared by pages, API, CLI, actions and emails; nothing here writes.

- catalogue: the modules an organisation can assign (ours, its own, its pass marks), the
  refresh policy, the language a module is shown in;
- status: one row per person and module, and the questions people missed;
- reports: what the manager pages, the CLI, the API and the evidence export show.
"""

from .catalogue import (
    Catalogues,
    assignable,
    catalogue,
    disabled_keys,
    language_for,
    module_for,
    parse_custom,
    policy_for,
    shipped_library,
    shipped_sources,
)
from .reports import evidence_csv, overview, person_matrix, status_records
from .status import missed_by_attempt, status_rows

__all__ = [
    "Catalogues",
    "assignable",
    "catalogue",
    "disabled_keys",
    "evidence_csv",
    "language_for",
    "missed_by_attempt",
    "module_for",
    "overview",
    "parse_custom",
    "person_matrix",
    "policy_for",
    "shipped_library",
    "shipped_sources",
    "status_records",
    "status_rows",
]
