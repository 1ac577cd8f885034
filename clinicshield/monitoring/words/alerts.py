"""Words the alert pages show for stored codes, in the reader's language.

Alert statuses, kinds raised by other apps, Sigma rule levels, an alert's sentence for a
page (``explain``), and the heat map's cells on a person's access profile.
"""

import re
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy

from .explanations import WEEKDAYS, kind_label, render

# An alert is feminine in Spanish ("alerta"); the context keeps these words apart from other
# apps' "Open" (an incident is "Abierto"), which would otherwise win in the merged catalogue.
STATUS_LABELS = {
    "open": pgettext_lazy("alert status", "Open"),
    "acknowledged": pgettext_lazy("alert status", "Acknowledged"),
    "resolved": pgettext_lazy("alert status", "Resolved"),
    "false_positive": pgettext_lazy("alert status", "False positive"),
}

# Alert kinds raised by other apps, which the monitoring explanations do not name.
OTHER_KIND_LABELS = {
    "exposure.new_port": pgettext_lazy("alert kind", "New open port"),
}
# Sigma rule levels, as the severities of alerts.
RULE_LEVELS = {
    "informational": pgettext_lazy("rule level", "informational"),
    "low": pgettext_lazy("rule level", "low"),
    "medium": pgettext_lazy("rule level", "medium"),
    "high": pgettext_lazy("rule level", "high"),
    "critical": pgettext_lazy("rule level", "critical"),
}


def kind_title(kind: str) -> str:
    label = OTHER_KIND_LABELS.get(kind)
    return str(label) if label is not None else kind_label(kind)


def rule_level_label(level: str) -> str:
    return str(RULE_LEVELS.get(level, level))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def sign_ins_at(weekday: int, hour: int, count: int) -> str:
    """One cell of the access profile's heat map: 'Monday 08:00 — 12 sign-ins'."""
    return _("%(day)s %(hour)02d:00 — %(count)s sign-ins") % {
        "day": WEEKDAYS[weekday],
        "hour": hour,
        "count": count,
    }


def weekday_abbreviation(weekday: int) -> str:
    """The heat map's row label: the weekday's first three letters in the reader's language."""
    return str(WEEKDAYS[weekday])[:3]


# The exposure app hands its new-port alert over as a finished sentence (code "text") in
# whatever language was active when the scan ran. It is this message (the same msgid as in
# exposure/actions/alerts.py), so the page reads its values back and says it again in the
# reader's language.
NEW_PORT = gettext_noop(
    "New open port %(port)s/%(proto)s (%(service)s) on %(address)s in the %(zone)s zone; "
    "it was not open in the previous scan of this network."
)
READY_MADE = {"exposure.new_port": NEW_PORT}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _pattern(message: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(message)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(regex + r"\Z", re.S)


def _said_again(text: str) -> str | None:
    for message in READY_MADE.values():
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                found = _pattern(_(message)).match(text)
            if found:
                return _(message) % found.groupdict()
    return None


def explain(code: str, params: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """An alert's sentence for a page: ``explanations.render``, and ready-made sentences of
    other apps (alerts raised before they passed a code) said again in the reader's language."""
    if code == "text":
        text = str(params.get("text", ""))
        return _said_again(text) or text
    return render(code, params, names)
