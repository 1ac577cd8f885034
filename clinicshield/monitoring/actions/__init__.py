"""Writes of the monitoring app. Other apps call these (``do_raise_alert``), never the models."""

from .alerts import (
    alert_payload,
    do_acknowledge_alert,
    do_mark_false_positive,
    do_raise_alert,
    do_reopen_alert,
    do_resolve_alert,
    is_suppressed,
    people_names,
)
from .detection import (
    detection_context,
    do_mark_service_account,
    do_run_detection,
    do_unmark_service_account,
)
from .escalation import do_escalate_alert
from .ingestion import do_ingest_files, do_ingest_messages, geo_lookup, log_source

__all__ = [
    "alert_payload",
    "detection_context",
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
    "people_names",
    "log_source",
]
