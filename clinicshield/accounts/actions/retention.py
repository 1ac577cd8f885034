"""How long an organisation keeps its security events (the event store's retention)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from clinicshield.lib.errors import UserError

from ..models import Organisation
from .audit import audit

# The detectors judge each day against the 60 days before it (baselines) and show a
# month of evidence: a shorter retention would blind them. docs/decisions/0017.
MIN_EVENTS_RETENTION_DAYS = 90
# A century: past it a number means "keep everything", which is said by leaving it empty
# (and a larger number would not fit the column, nor a date).
MAX_EVENTS_RETENTION_DAYS = 36_500


def check_events_retention(days: int | None) -> int | None:
    if days is not None and days < MIN_EVENTS_RETENTION_DAYS:
        raise UserError(
            "short_retention",
            _(
                "Security events are kept %(minimum)s days at least: the detectors compare "
                "each day with the weeks before it. Leave it empty to keep everything."
            )
            % {"minimum": MIN_EVENTS_RETENTION_DAYS},
        )
    if days is not None and days > MAX_EVENTS_RETENTION_DAYS:
        raise UserError(
            "long_retention",
            _(
                "%(days)s days is more than a century (%(maximum)s days). Leave it empty to "
                "keep everything."
            )
            % {"days": days, "maximum": MAX_EVENTS_RETENTION_DAYS},
        )
    return days


def do_set_events_retention(org: Organisation, actor: Any, days: int | None) -> Organisation:
    """Set how many days of events ``org`` keeps (None: everything); audited."""
    days = check_events_retention(days)
    if org.events_retention_days == days:
        return org
    with transaction.atomic():
        old = org.events_retention_days
        org.events_retention_days = days
        org.save(update_fields=["events_retention_days"])
        audit(org, actor, "organisation.events_retention", org.slug, old=old, new=days)
    return org
