"""Words the monitoring pages show for stored codes, in the reader's language.

Alert statuses, the columns and coded values of event tables, and the parameters of an
alert's sentence made readable before ``explanations.render`` speaks them.
"""

import re
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy

from .explanations import kind_label, logon_type_label, render

# An alert is feminine in Spanish ("alerta"); the context keeps these words apart from other
# apps' "Open" (an incident is "Abierto"), which would otherwise win in the merged catalogue.
STATUS_LABELS = {
    "open": pgettext_lazy("alert status", "Open"),
    "acknowledged": pgettext_lazy("alert status", "Acknowledged"),
    "resolved": pgettext_lazy("alert status", "Resolved"),
    "false_positive": pgettext_lazy("alert status", "False positive"),
}

COLUMN_LABELS = {
    "ts": pgettext_lazy("event column", "Time"),
    "user": pgettext_lazy("event column", "User"),
    "outcome": pgettext_lazy("event column", "Outcome"),
    "logon_type": pgettext_lazy("event column", "Logon type"),
    "src_ip": pgettext_lazy("event column", "Source address"),
    "src_country": pgettext_lazy("event column", "Country"),
    "src_asn_org": pgettext_lazy("event column", "Network"),
    "host": pgettext_lazy("event column", "Host"),
    "app": pgettext_lazy("event column", "Application"),
    "device": pgettext_lazy("event column", "Device"),
    "event_code": pgettext_lazy("event column", "Event code"),
    "source": pgettext_lazy("event column", "Log source"),
    "record_ref": pgettext_lazy("event column", "Record"),
    "image": pgettext_lazy("event column", "Program"),
    "command_line": pgettext_lazy("event column", "Command line"),
    "parent_image": pgettext_lazy("event column", "Started by"),
    "target_object": pgettext_lazy("event column", "Registry key"),
    "details": pgettext_lazy("event column", "Registry value"),
    "dst_ip": pgettext_lazy("event column", "Destination address"),
    "dst_port": pgettext_lazy("event column", "Destination port"),
    "proto": pgettext_lazy("event column", "Protocol"),
    "service": pgettext_lazy("event column", "Service"),
    "bytes_out": pgettext_lazy("event column", "Bytes sent"),
    "bytes_in": pgettext_lazy("event column", "Bytes received"),
    "dst_country": pgettext_lazy("event column", "Destination country"),
}
OUTCOMES = {
    "success": pgettext_lazy("sign-in outcome", "Success"),
    "failure": pgettext_lazy("sign-in outcome", "Failure"),
}
INTERNAL_COUNTRY = pgettext_lazy("country", "internal network")

# Where a record sat in its file, as parsers name it ("line 12", "record #7", "row 3").
POSITIONS = {
    "line": pgettext_lazy("record position", "line %(number)s"),
    "row": pgettext_lazy("record position", "row %(number)s"),
    "record": pgettext_lazy("record position", "record %(number)s"),
    "message": pgettext_lazy("record position", "message %(number)s"),
}
_POSITION = re.compile(r"(line|row|record|message) (#?\d+)\Z")

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
    label = RULE_LEVELS.get(level)
    return str(label) if label is not None else level


def position_label(record_ref: str | None) -> str:
    """'line 12' -> 'línea 12' for a Spanish reader; refs of another shape as they are."""
    found = _POSITION.match(record_ref or "")
    if found is None:
        return record_ref or ""
    return str(POSITIONS[found.group(1)]) % {"number": found.group(2)}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def column_label(column: str) -> str:
    return str(COLUMN_LABELS.get(column, column))


def event_value(column: str, value: Any) -> Any:
    """A stored value as the reader should see it: the codes parsers write (outcome, logon
    type, the ``internal`` country) in words; anything else as stored."""
    if value is None:
        return ""
    if column == "outcome" and value in OUTCOMES:
        return OUTCOMES[value]
    if column == "logon_type":
        label = logon_type_label(str(value))
        return label[:1].upper() + label[1:]
    if column in ("src_country", "dst_country") and value == "internal":
        return INTERNAL_COUNTRY
    if column == "record_ref":
        return position_label(str(value))
    return value


def event_rows(columns: list[str], events: list[dict[str, Any]]) -> list[list[Any]]:
    return [[event_value(c, event.get(c)) for c in columns] for event in events]


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
