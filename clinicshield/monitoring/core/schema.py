"""The normalised event kinds of the event store, as Arrow schemas.

Every parser produces tables of exactly these schemas; every detector reads them.
Timestamps are UTC, microsecond precision. Columns a source does not know stay null.
The store lays them out as ``events/org=<slug>/kind=<kind>/day=<YYYY-MM-DD>/*.parquet``.
"""

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")

# Where each record came from, so an alert can point back at its evidence.
PROVENANCE = [
    pa.field("source", pa.string()),  # log source name (e.g. "dc01-security")
    pa.field("source_file", pa.string()),  # path or stream the record was read from
    pa.field("record_ref", pa.string()),  # offset, line number, EventRecordID or cursor
]

AUTH = pa.schema(
    [
        pa.field("ts", TS, nullable=False),
        pa.field("user", pa.string()),  # lower-cased account name, no domain
        pa.field("domain", pa.string()),
        pa.field("outcome", pa.string()),  # "success" | "failure"
        pa.field("failure_reason", pa.string()),  # status code or text
        pa.field("logon_type", pa.string()),  # interactive, network, remote_interactive, ...
        pa.field("src_ip", pa.string()),
        pa.field("src_port", pa.int32()),
        pa.field("src_country", pa.string()),  # ISO 3166 alpha-2, "internal" for own ranges
        pa.field("src_asn", pa.int64()),
        pa.field("src_asn_org", pa.string()),
        pa.field("src_city", pa.string()),
        pa.field("src_lat", pa.float64()),
        pa.field("src_lon", pa.float64()),
        pa.field("host", pa.string()),  # the machine or service signed in to
        pa.field("app", pa.string()),  # sshd, windows, entra:<client app>, vpn, ehr, ...
        pa.field("device", pa.string()),  # workstation name or device id / browser+OS
        pa.field("event_code", pa.string()),  # 4624, 4625, sshd:failed_password, ...
        *PROVENANCE,
    ]
)

PROCESS = pa.schema(
    [
        pa.field("ts", TS, nullable=False),
        pa.field("host", pa.string()),
        pa.field("user", pa.string()),
        pa.field("event_code", pa.string()),  # sysmon:1, sysmon:12, sysmon:13, 4688, ...
        pa.field("image", pa.string()),
        pa.field("command_line", pa.string()),
        pa.field("parent_image", pa.string()),
        pa.field("parent_command_line", pa.string()),
        pa.field("target_object", pa.string()),  # registry key for 12/13
        pa.field("details", pa.string()),  # registry value for 13
        pa.field("event_type", pa.string()),  # SetValue, DeleteValue, CreateKey, ...
        pa.field("raw", pa.string()),  # the full event as JSON, so any Sigma field can match
        *PROVENANCE,
    ]
)

FLOW = pa.schema(
    [
        pa.field("ts", TS, nullable=False),
        pa.field("src_ip", pa.string()),
        pa.field("src_port", pa.int32()),
        pa.field("dst_ip", pa.string()),
        pa.field("dst_port", pa.int32()),
        pa.field("proto", pa.string()),
        pa.field("service", pa.string()),
        pa.field("duration_s", pa.float64()),
        pa.field("bytes_out", pa.int64()),  # sent by src (Zeek orig_bytes)
        pa.field("bytes_in", pa.int64()),  # received by src (Zeek resp_bytes)
        pa.field("dst_country", pa.string()),
        pa.field("dst_asn", pa.int64()),
        pa.field("host", pa.string()),  # sensor or firewall that saw it
        *PROVENANCE,
    ]
)

SCHEMAS: dict[str, pa.Schema] = {"auth": AUTH, "process": PROCESS, "flow": FLOW}

# The columns shown when one event is listed (alert evidence, event search): enough to
# recognise it, without the raw record.
SHOWN_COLUMNS: dict[str, list[str]] = {
    "auth": [
        "ts",
        "user",
        "outcome",
        "logon_type",
        "src_ip",
        "src_country",
        "src_asn_org",
        "host",
        "app",
        "device",
        "event_code",
        "source",
        "record_ref",
    ],
    "process": [
        "ts",
        "host",
        "user",
        "event_code",
        "image",
        "command_line",
        "parent_image",
        "target_object",
        "details",
        "source",
        "record_ref",
    ],
    "flow": [
        "ts",
        "src_ip",
        "dst_ip",
        "dst_port",
        "proto",
        "service",
        "bytes_out",
        "bytes_in",
        "dst_country",
        "host",
        "source",
        "record_ref",
    ],
}
