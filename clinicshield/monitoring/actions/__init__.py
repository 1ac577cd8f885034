"""Writes of the monitoring app. Other apps call these (``do_raise_alert``), never the models.

Each name is loaded from its module on first use: a command that only ingests does not
pay for detection's imports (the detectors' Ibis and the store's readers), and the other
way round.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .alerts import (
        do_acknowledge_alert,
        do_mark_false_positive,
        do_raise_alert,
        do_reopen_alert,
        do_resolve_alert,
        is_suppressed,
    )
    from .detection import (
        do_mark_service_account,
        do_run_detection,
        do_unmark_service_account,
    )
    from .escalation import do_escalate_alert
    from .ingestion import do_ingest_files, do_ingest_messages, geo_lookup, log_source

_MODULE_OF = {
    "do_acknowledge_alert": "alerts",
    "do_mark_false_positive": "alerts",
    "do_raise_alert": "alerts",
    "do_reopen_alert": "alerts",
    "do_resolve_alert": "alerts",
    "is_suppressed": "alerts",
    "do_mark_service_account": "detection",
    "do_run_detection": "detection",
    "do_unmark_service_account": "detection",
    "do_escalate_alert": "escalation",
    "do_ingest_files": "ingestion",
    "do_ingest_messages": "ingestion",
    "geo_lookup": "ingestion",
    "log_source": "ingestion",
}

__all__ = [
    "do_acknowledge_alert",
    "do_escalate_alert",
    "do_ingest_files",
    "do_ingest_messages",
    "do_mark_false_positive",
    "do_mark_service_account",
    "do_raise_alert",
    "do_reopen_alert",
    "do_resolve_alert",
    "do_run_detection",
    "do_unmark_service_account",
    "geo_lookup",
    "is_suppressed",
    "log_source",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # found once
    return value
