"""Words the log source and event pages show, in the reader's language.

The columns and coded values of event tables, where a record sat in its file, why a
record was quarantined, and the event search's kinds, date fields and date refusal.
"""

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .explanations import logon_type_label

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

# Why parsers quarantined a record (core.quarantine's reason codes).
QUARANTINE_REASONS = {
    "not_syslog": gettext_lazy(
        "The line does not start with a syslog header (RFC 3164 or RFC 5424)."
    ),
    "not_json": gettext_lazy("The record is not valid JSON."),
    "bad_timestamp": gettext_lazy("The timestamp is missing or cannot be read."),
    "impossible_timestamp": gettext_lazy("The timestamp is before 1990 or in the future."),
    "missing_field": gettext_lazy("A field the format requires is missing."),
    "bad_csv_row": gettext_lazy("The CSV row does not have the columns of the header."),
    "bad_evtx_record": gettext_lazy("The .evtx record could not be decoded."),
}

# The kinds of events the search reads, in the order the page offers them.
EVENT_KINDS = [
    ("auth", gettext_lazy("Sign-ins")),
    ("process", gettext_lazy("Processes")),
    ("flow", gettext_lazy("Flows")),
]
# A context: other apps' "From" (an email's sender, "De") would win in the merged catalogue.
DAY_FIELDS = {
    "since": pgettext_lazy("date range", "From"),
    "until": pgettext_lazy("date range", "To"),
}


def column_label(column: str) -> str:
    return str(COLUMN_LABELS.get(column, column))


def position_label(record_ref: str | None) -> str:
    """'line 12' -> 'línea 12' for a Spanish reader; refs of another shape as they are."""
    found = _POSITION.match(record_ref or "")
    if found is None:
        return record_ref or ""
    return str(POSITIONS[found.group(1)]) % {"number": found.group(2)}


def quarantine_reason(reason: str) -> str:
    """The sentence for a quarantine reason code (the code itself if it has none)."""
    return str(QUARANTINE_REASONS.get(reason, reason))


def not_a_date(value: str, field: str) -> str:
    """The event search's refusal of a day it cannot read (``field``: a key of DAY_FIELDS)."""
    return _("“%(value)s” in “%(field)s” is not a date; write it as YYYY-MM-DD.") % {
        "value": value,
        "field": DAY_FIELDS[field],
    }


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
