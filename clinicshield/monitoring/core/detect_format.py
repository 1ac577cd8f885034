"""``--format auto``: tell a file's format from its first bytes.

Returns the format name, or raises :class:`UnrecognisedFormat` whose ``looked_like`` says
what the file seemed to be ("CSV with columns a, b, c", "JSON with keys ...", "binary
data"), so the user can pick a format or write a field mapping.
"""

from __future__ import annotations

import re
from pathlib import Path

from .parsers.flow_columns import flow_mapping_for

SAMPLE_BYTES = 64 * 1024
_KEY = re.compile(rb'"([^"\\]{1,64})"\s*:')

# Whole syslog lines (RFC 3164, RFC 5424), to recognise a file (``looks_like_syslog``).
_RFC3164 = re.compile(
    r"^(?:<(\d{1,3})>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d:\d\d:\d\d)(?:\.\d+)? (\S+) "
    r"(?:([^:\[\s]+)(?:\[(\d+)\])?: ?)?(.*)$"
)
_RFC5424 = re.compile(
    r"^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) "
    r"(-|(?:\[(?:[^\]\\]|\\.)*\])+) ?(.*)$"
)


class UnrecognisedFormat(ValueError):
    def __init__(self, path: Path, looked_like: str) -> None:
        super().__init__(f"{path}: format not recognised; it looks like {looked_like}")
        self.path = path
        self.looked_like = looked_like


def _json_format(sample: bytes) -> str | None:
    keys = {k.decode("utf-8", errors="replace") for k in _KEY.findall(sample)}
    if {"createdDateTime", "userPrincipalName"} <= keys or re.search(
        rb'"category"\s*:\s*"[A-Za-z]*SignInLogs"', sample
    ):
        return "entra"
    if "EventID" in keys and keys & {"Channel", "SourceName", "ProviderName", "Computer"}:
        return "winjson"
    if keys & {"id.orig_h", "id_orig_h"}:
        return "zeek"
    return None


def _describe_json(sample: bytes) -> str:
    keys = []
    for k in _KEY.findall(sample):
        name = k.decode("utf-8", errors="replace")
        if name not in keys:
            keys.append(name)
    return "JSON with keys " + ", ".join(keys[:8]) if keys else "JSON without object keys"


def _text_lines(sample: bytes) -> list[str]:
    text = sample.decode("utf-8", errors="replace")
    lines = text.splitlines()
    if len(sample) == SAMPLE_BYTES and lines:
        lines.pop()  # probably cut in the middle
    return lines[:50]


def _looks_binary(sample: bytes) -> bool:
    if not sample:
        return False
    control = sum(1 for b in sample[:4096] if b < 9 or 13 < b < 32)
    return b"\x00" in sample[:4096] or control > len(sample[:4096]) * 0.05


def looks_like_syslog(sample: list[str]) -> bool:
    """True when most non-empty sample lines carry a syslog header."""
    lines = [s for s in sample if s.strip()]
    if not lines:
        return False
    hits = sum(1 for s in lines if _RFC5424.match(s) or _RFC3164.match(s))
    return hits >= max(1, len(lines) * 0.5)


def detect(path: Path) -> str:
    """The format name for ``path`` (one of ``parsers.FORMATS``)."""
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if sample.startswith(b"ElfFile\x00"):
        return "evtx"
    stripped = sample.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise UnrecognisedFormat(path, "an empty file")
    if _looks_binary(stripped):
        raise UnrecognisedFormat(path, f"binary data starting with {stripped[:8]!r}")
    if stripped[:1] in (b"{", b"["):
        found = _json_format(stripped)
        if found:
            return found
        raise UnrecognisedFormat(path, _describe_json(stripped))
    if stripped.startswith((b"#separator", b"#fields")):
        return "zeek"
    lines = _text_lines(stripped)
    if looks_like_syslog(lines):
        return "syslog"
    header = lines[0] if lines else ""
    if "," in header:
        columns = [c.strip().strip('"') for c in header.split(",")]
        if flow_mapping_for(columns):
            return "csv"
        raise UnrecognisedFormat(path, "CSV with columns " + ", ".join(columns[:10]))
    raise UnrecognisedFormat(path, f"text starting with {header[:60]!r}")
