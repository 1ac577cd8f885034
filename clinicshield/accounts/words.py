"""What people read that the accounts app builds in Python: the roster's problem codes as
sentences, the lock-out sentence, and why a directory sync was refused."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# What each roster problem code (core.roster) means, for the person who uploaded the file.
ROW_PROBLEMS = {
    "missing_name": gettext_lazy("The name is empty."),
    "bad_email": gettext_lazy("This is not an email address."),
    "unknown_department": gettext_lazy(
        "Unknown department: use reception, clinician, nurse, lab, billing, management or it."
    ),
    "unknown_language": gettext_lazy("Unknown language: use en or es."),
    "missing_site": gettext_lazy("The site is empty."),
    "duplicate_email": gettext_lazy("This email appears on an earlier line of the file."),
    "too_many_cells": gettext_lazy("The row has more cells than the header (a stray comma?)."),
}


def roster_problem(reason: str) -> str:
    """The sentence for a roster problem code (the code itself if it has none)."""
    return str(ROW_PROBLEMS.get(reason, reason))


def locked_out() -> str:
    return _("Too many failed attempts. Try again in %(minutes)s minutes.") % {
        "minutes": settings.LOGIN_LOCKOUT_MINUTES
    }


def account_ceiling_reached() -> str:
    return _(
        "Too many failed sign-ins on this account from elsewhere. Sign in from a place you "
        "have used before, or try again in %(minutes)s minutes."
    ) % {"minutes": settings.LOGIN_LOCKOUT_MINUTES}


def leavers_refused(leaving: int, active: int, limit_percent: int) -> str:
    """Why a directory sync that would deactivate too many people was not applied."""
    return _(
        "this sync would deactivate %(leaving)s of %(active)s active people, more than "
        "max_leavers_percent (%(limit)s%%) allows: check the directory's filter and "
        "scope, or run `clinicshield directory sync` with --accept-leavers"
    ) % {"leaving": leaving, "active": active, "limit": limit_percent}
