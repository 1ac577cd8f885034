"""Which columns of a firewall or NetFlow CSV export are which: the header names each of
our flow columns goes by. Plain Python, so that ``--format auto`` can recognise such a file
without loading the parsers."""

from __future__ import annotations

from typing import Any

# Our flow column <- the lower-cased header names firewall/NetFlow exports use for it.
FLOW_ALIASES = {
    "ts": ["ts", "time", "timestamp", "start", "start_time", "date first seen", "first_seen"],
    "src_ip": ["sa", "src_ip", "srcaddr", "src", "source_ip", "source", "srcip", "src_addr"],
    "dst_ip": ["da", "dst_ip", "dstaddr", "dst", "destination_ip", "destination", "dstip"],
    "src_port": ["sp", "src_port", "srcport", "sport", "source_port"],
    "dst_port": ["dp", "dst_port", "dstport", "dport", "destination_port"],
    "proto": ["pr", "proto", "protocol"],
    "service": ["service", "app", "application"],
    "duration_s": ["td", "duration", "duration_s"],
    "bytes_out": ["ibyt", "bytes_out", "sent_bytes", "bytes_sent", "orig_bytes", "bytes"],
    "bytes_in": ["obyt", "bytes_in", "rcvd_bytes", "bytes_received", "resp_bytes"],
    "host": ["ra", "exporter", "host", "device", "sensor", "firewall"],
}


def flow_mapping_for(header: list[str]) -> dict[str, Any] | None:
    """The built-in flow mapping if ``header`` has at least a time, source and destination."""
    lower = {h.strip().lower(): h for h in header}
    fields = {}
    for ours, names in FLOW_ALIASES.items():
        for name in names:
            if name in lower:
                fields[ours] = lower[name]
                break
    if {"ts", "src_ip", "dst_ip"} <= fields.keys():
        return {"kind": "flow", "fields": fields}
    return None
