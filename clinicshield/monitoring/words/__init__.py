"""Every sentence of the monitoring app built in Python, in the reader's language.

- explanations: an alert's sentence from its code and parameters (``render``), the names
  of alert kinds, weekdays, hours of the week and logon types;
- alerts: what the alert pages say: statuses, other apps' alert kinds, Sigma rule levels,
  an alert's sentence for a page (``explain``), the access profile's heat map;
- events: what the log source and event pages say: columns and coded values of events,
  record positions, quarantine reasons, the event search's kinds and date refusal.
"""

from .alerts import (
    STATUS_LABELS,
    explain,
    kind_title,
    rule_level_label,
    sign_ins_at,
    status_label,
    weekday_abbreviation,
)
from .events import (
    EVENT_KINDS,
    column_label,
    event_rows,
    not_a_date,
    position_label,
    quarantine_reason,
)
from .explanations import kind_label, render

__all__ = [
    "EVENT_KINDS",
    "STATUS_LABELS",
    "column_label",
    "event_rows",
    "explain",
    "kind_label",
    "kind_title",
    "not_a_date",
    "position_label",
    "quarantine_reason",
    "render",
    "rule_level_label",
    "sign_ins_at",
    "status_label",
    "weekday_abbreviation",
]
