"""The staff "I clicked something / report a problem" flow, from the portal or the poster."""

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicshield.accounts.models import Organisation, Person
from clinicshield.lib.errors import UserError

from ..models import Incident
from .incidents import do_open_incident

# kind -> (label, playbook); the order is the order staff see.
REPORT_KINDS: dict[str, tuple[Any, str]] = {
    "clicked": (gettext_lazy("I clicked a link, opened a file or pasted a command"), "clickfix"),
    "ransom": (gettext_lazy("Files are locked or a ransom message appeared"), "ransomware"),
    "sign_in": (gettext_lazy("A sign-in code or alert I did not expect"), "suspicious-sign-in"),
    "lost_device": (gettext_lazy("A laptop, phone or USB drive is lost or stolen"), "lost-device"),
    "data": (gettext_lazy("Patient data went to the wrong person or place"), "data-breach"),
    "payment": (gettext_lazy("A strange payment or bank-details request"), "payment-fraud"),
    "other": (gettext_lazy("Something else looks wrong"), ""),
}
WHEN_CHOICES = {
    "now": gettext_lazy("Just now"),
    "hour": gettext_lazy("Within the last hour"),
    "today": gettext_lazy("Earlier today"),
    "earlier": gettext_lazy("Before today"),
}
DISCONNECTED_CHOICES = {
    "yes": gettext_lazy("Yes, it is unplugged and still switched on"),
    "no": gettext_lazy("No, not yet"),
    "na": gettext_lazy("Not about a computer"),
}
# A poster hangs on a wall for anyone to scan: cap how many reports it can open per hour.
PUBLIC_REPORTS_PER_HOUR = 20


def _check_choice(value: str, choices: dict[str, Any], field: str) -> None:
    if value not in choices:
        raise UserError("bad_answer", _("Please choose an answer for: %s") % field)


def do_report_problem(
    org: Organisation,
    *,
    kind: str,
    what: str,
    when: str,
    disconnected: str,
    where: str = "",
    reporter: Person | None = None,
    reporter_name: str = "",
    via: str = "portal",
) -> Incident:
    """Open an incident from a member of staff's answers; IT and the owner are told."""
    _check_choice(kind, REPORT_KINDS, _("what happened"))
    _check_choice(when, WHEN_CHOICES, _("when"))
    _check_choice(disconnected, DISCONNECTED_CHOICES, _("disconnected"))
    if via == "poster":
        since = timezone.now() - timedelta(hours=1)
        recent = Incident.objects.filter(
            organisation=org, source="staff_report", source_ref="poster", opened_at__gte=since
        ).count()
        if recent >= PUBLIC_REPORTS_PER_HOUR:
            raise UserError(
                "too_many_reports",
                _("Too many reports in the last hour. Please phone IT support."),
                429,
            )
    label, playbook_key = REPORT_KINDS[kind]
    name = reporter.name if reporter else (reporter_name.strip() or _("someone (no name given)"))
    # Labels outside f-strings: xgettext does not look inside them.
    lines = [
        (_("What happened"), label),
        (_("When"), WHEN_CHOICES[when]),
        (_("Computer disconnected"), DISCONNECTED_CHOICES[disconnected]),
        (_("Where / which device"), where.strip() or "-"),
        (_("In their words"), what.strip() or "-"),
    ]
    details = "\n".join(f"{field}: {value}" for field, value in lines)
    return do_open_incident(
        org,
        title=f"{label} ({name})",
        source="staff_report",
        source_ref=via,  # "portal" or "poster": the cap above counts poster reports
        reporter=reporter,
        reporter_name=name,
        playbook_key=playbook_key,
        details=details,
        actor=f"{via}: {name}",
    )
