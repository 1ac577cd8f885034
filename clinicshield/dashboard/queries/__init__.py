"""Reads of the dashboard, shared by its pages, API, CLI, actions and documents; nothing here
writes.

- measure: every app's posture figures, and the organisation's and each site's score;
- history: the organisation's calendar day, its kept daily scores, what moved this month;
- overview: everything the dashboard page shows, from one measurement.
"""

from .history import history, local_day, month_changes, org_zone, snapshot_before
from .measure import Measurement, Scores, compute_scores
from .overview import overview

__all__ = [
    "Measurement",
    "Scores",
    "compute_scores",
    "history",
    "local_day",
    "month_changes",
    "org_zone",
    "overview",
    "snapshot_before",
]
