"""Recording what recipients do with a simulation: opens, clicks, submits, copies, runs.

A request only writes the hit down (hitlog.py: one append, no database write) and asks
the worker for a fold; the fold (folding.py) judges it, person or scanner, stores it as
a TrackingEvent and moves the recipient's status. Pages that show results fold first,
so they show every hit that was answered before them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from ..core.hits import Hit
from ..core.tokens import is_well_formed_token
from ..hitlog import append_hit
from ..models import Recipient


def min_human_seconds() -> float:
    return float(getattr(settings, "SIMULATIONS_MIN_HUMAN_SECONDS", 10))


def token_is_known(token: str) -> bool:
    """One indexed lookup on the driver's own cursor (no ORM, no cursor wrapper): the
    tracking fast path's only database read. Driver errors come out as Django's."""
    if not is_well_formed_token(token):
        return False
    database = connections[DEFAULT_DB_ALIAS]  # this thread's; one look-up, not four
    mark = "?" if database.vendor == "sqlite" else "%s"
    sql = f"SELECT 1 FROM {Recipient._meta.db_table} WHERE token = {mark}"  # noqa: S608
    with database.wrap_database_errors:
        database.ensure_connection()
        cursor = database.connection.cursor()
        try:
            cursor.execute(sql, (token,))
            return cursor.fetchone() is not None
        finally:
            cursor.close()


def do_record_hit(hit: Hit) -> None:
    """Write the hit down and ask for a fold. Raises OSError when the disk refused it."""
    from .folding import request_fold  # folding imports this module

    append_hit(hit)
    request_fold()
