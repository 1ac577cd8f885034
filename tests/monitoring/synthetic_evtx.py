"""Large, dense ``.evtx`` files built from the records of real ones, for benchmarks and tests.

No tool here writes ``.evtx``, and the public samples hold one 64 KiB chunk with 1-18
records each, where a real Security log packs a hundred or more records into every chunk
and runs to many megabytes. This module copies the samples' own bytes into such a file.

The layout (the EVTX format as libyal's "Windows XML Event Log (EVTX)" document describes
it): a 4 KiB file header, then 64 KiB chunks. A chunk is a 512-byte header (record numbers,
the offset of its last record and of its free space, two CRC32s, and tables of the names
and templates defined in it), then records. A record is a 24-byte header (signature, size,
record id, time written), a Binary XML fragment, and its size again. The fragment of every
Windows event is a *template instance*: the template's chunk offset, then an array of
substitution values (the event's System fields, and its EventData as a nested fragment that
is itself a template instance). The first record that uses a template carries the
definition inline, right after the instance header; later records only point back at it.

So a chunk is built as: the sample chunk's header and its records, byte for byte at their
own offsets (they define the templates and names), then copies of those records rewritten
to *point back* at the definitions (no inline definition, so their bytes do not depend on
where they sit) until the chunk is full. Every record gets a new record id, written in its
header and in its EventRecordID value, and a new time, written in its header, in its
TimeCreated value and in Sysmon's UtcTime string; IPv4 address strings get same-length
variants so that enrichment sees several addresses. The chunk and file headers are then
fixed (record numbers, offsets, counts, CRC32s).
"""

from __future__ import annotations

import random
import re
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import cycle
from pathlib import Path

FILE_HEADER_SIZE = 4096
CHUNK_SIZE = 65536
CHUNK_HEADER_SIZE = 512
MAX_CHUNKS = 0xFFFF  # the file header counts chunks in 16 bits

_RECORD_HEADER = struct.Struct("<4sIQQ")  # signature, size, record id, FILETIME written
_RECORD_SIGNATURE = b"\x2a\x2a\x00\x00"
_FRAGMENT_HEADER = b"\x0f\x01\x01\x00"  # fragment token, Binary XML version 1.1, no flags
_TEMPLATE_INSTANCE = 0x0C
_INSTANCE_HEAD = 14  # fragment header, token, unknown byte, template id, definition offset
_DEFINITION_HEAD = 24  # next definition offset, GUID, data size

_STRING, _UINT64, _FILETIME, _BINXML = 0x01, 0x0A, 0x11, 0x21
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
_IPV4 = re.compile(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})")
_SYSMON_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}")
_ADDRESS_VARIANTS = 64


class NotCopyable(ValueError):
    """A record whose Binary XML this module cannot rewrite safely."""


@dataclass
class _Pattern:
    """The bytes of one record, and where its per-copy fields sit in them."""

    data: bytes
    record_ids: list[int] = field(default_factory=list)  # u64 offsets: header, EventRecordID
    filetimes: list[int] = field(default_factory=list)  # u64 offsets: header, TimeCreated
    sysmon_times: list[int] = field(default_factory=list)  # UTF-16 "YYYY-MM-DD HH:MM:SS.fff"
    addresses: list[tuple[int, list[bytes]]] = field(default_factory=list)  # offset, variants


@dataclass(frozen=True)
class DenseEvtx:
    """What :func:`write_dense_evtx` wrote."""

    path: Path
    records: int
    chunks: int
    first_record_id: int

    @property
    def records_per_chunk(self) -> float:
        return self.records / self.chunks if self.chunks else 0.0


def write_dense_evtx(
    path: Path,
    samples: Sequence[Path],
    records: int,
    *,
    start: datetime = datetime(2026, 3, 2, 6, 0, tzinfo=UTC),
    step: timedelta = timedelta(seconds=1),
    first_record_id: int = 1,
    seed: int = 1,
) -> DenseEvtx:
    """Write ``records`` records to ``path``, chunks taken from ``samples`` in turn.

    Record ids run from ``first_record_id`` without gaps; record ``n`` (0-based) was
    written at ``start + n * step``."""
    if records < 1:
        raise ValueError("records must be at least 1")
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    sources = [_ChunkSource.load(Path(sample), rng) for sample in samples]
    if not sources:
        raise ValueError("no sample .evtx files given")
    path = Path(path)
    written = chunks = 0
    with open(path, "wb") as out:
        out.write(bytes(FILE_HEADER_SIZE))  # filled in at the end
        for source in cycle(sources):
            if written >= records:
                break
            if chunks >= MAX_CHUNKS:
                raise ValueError(f"{records} records need more than {MAX_CHUNKS} chunks")
            chunk, count = source.build(
                first_record_id + written, records - written, start, step, written
            )
            out.write(chunk)
            written += count
            chunks += 1
        out.seek(0)
        out.write(_file_header(chunks, first_record_id + written))
    return DenseEvtx(path, written, chunks, first_record_id)


@dataclass
class _ChunkSource:
    """A sample chunk: its header, its records as they are, and their pointing copies."""

    header: bytes
    originals: list[_Pattern]
    copies: list[_Pattern]

    @classmethod
    def load(cls, sample: Path, rng: random.Random) -> _ChunkSource:
        data = sample.read_bytes()
        if data[:8] != b"ElfFile\x00":
            raise ValueError(f"{sample}: not an .evtx file")
        chunk = data[FILE_HEADER_SIZE : FILE_HEADER_SIZE + CHUNK_SIZE]
        if chunk[:8] != b"ElfChnk\x00":
            raise ValueError(f"{sample}: no chunk after the file header")
        free = struct.unpack_from("<I", chunk, 48)[0]
        originals: list[_Pattern] = []
        copies: list[_Pattern] = []
        offset = CHUNK_HEADER_SIZE
        while offset < free:
            signature, size = struct.unpack_from("<4sI", chunk, offset)
            if signature != _RECORD_SIGNATURE or size < 32 or offset + size > free:
                raise ValueError(f"{sample}: bad record at chunk offset {offset}")
            raw = chunk[offset : offset + size]
            originals.append(_locate_fields(raw, offset, rng))
            try:
                pointing = _pointing_record(raw, offset)
            except NotCopyable:
                pointing = None
            if pointing is not None:
                # Placed anywhere after the originals, it must not look like a definition.
                copies.append(_locate_fields(pointing, free, rng))
            offset += size
        if not originals or not copies:
            raise ValueError(f"{sample}: no record that can be copied")
        return cls(bytes(chunk[:CHUNK_HEADER_SIZE]), originals, copies)

    def build(
        self, first_id: int, wanted: int, start: datetime, step: timedelta, index: int
    ) -> tuple[bytes, int]:
        """One full chunk (or fewer records if fewer are wanted) and its record count."""
        chunk = bytearray(CHUNK_SIZE)
        chunk[:CHUNK_HEADER_SIZE] = self.header
        offset, count, last = CHUNK_HEADER_SIZE, 0, CHUNK_HEADER_SIZE
        patterns = iter(self.originals)
        fillers = cycle(self.copies)
        while count < wanted:
            pattern = next(patterns, None) or next(fillers)
            size = len(pattern.data)
            if offset + size > CHUNK_SIZE:
                break
            n = index + count
            _place(chunk, offset, pattern, first_id + count, start + n * step, n)
            last, offset, count = offset, offset + size, count + 1
        last_id = first_id + count - 1
        struct.pack_into("<QQQQ", chunk, 8, first_id, last_id, first_id, last_id)
        struct.pack_into("<III", chunk, 44, last, offset, zlib.crc32(chunk[512:offset]))
        struct.pack_into("<I", chunk, 124, zlib.crc32(chunk[128:512], zlib.crc32(chunk[:120])))
        return bytes(chunk), count


def _place(
    chunk: bytearray, offset: int, pattern: _Pattern, record_id: int, when: datetime, n: int
) -> None:
    """Copy a record into the chunk with its own id, time and addresses."""
    end = offset + len(pattern.data)
    chunk[offset:end] = pattern.data
    for at in pattern.record_ids:
        struct.pack_into("<Q", chunk, offset + at, record_id)
    ticks = (when - _FILETIME_EPOCH) // timedelta(microseconds=1) * 10
    for at in pattern.filetimes:
        struct.pack_into("<Q", chunk, offset + at, ticks)
    if pattern.sysmon_times:
        text = when.strftime("%Y-%m-%d %H:%M:%S.") + f"{when.microsecond // 1000:03d}"
        encoded = text.encode("utf-16-le")
        for at in pattern.sysmon_times:
            chunk[offset + at : offset + at + len(encoded)] = encoded
    for at, variants in pattern.addresses:
        variant = variants[n % len(variants)]
        chunk[offset + at : offset + at + len(variant)] = variant


def _file_header(chunks: int, next_record_id: int) -> bytes:
    header = bytearray(FILE_HEADER_SIZE)
    struct.pack_into(
        "<8sQQQIHHHH", header, 0, b"ElfFile\x00", 0, chunks - 1, next_record_id, 128, 1, 3,
        FILE_HEADER_SIZE, chunks,
    )  # fmt: skip
    struct.pack_into("<I", header, 120, 0)  # flags: clean, not full
    struct.pack_into("<I", header, 124, zlib.crc32(header[:120]))
    return bytes(header)


# -- Binary XML: template instances and their substitution values ---------------------


@dataclass
class _Value:
    kind: int  # the value type; 0x80 set for arrays
    start: int  # offset of the value's bytes in the buffer
    size: int
    depth: int  # 0 for the record's own instance, 1 for EventData's, ...


def _instance(
    buf: bytes, pos: int, base: int, depth: int, values: list[_Value] | None
) -> tuple[bytes, int]:
    """Read the template instance at ``pos`` (``buf`` sits at chunk offset ``base``).

    Returns the instance rewritten to point back at its definition (nested instances too)
    and the offset after it; appends the values it read, with their depth, to ``values``."""
    if buf[pos : pos + 4] != _FRAGMENT_HEADER or buf[pos + 4] != _TEMPLATE_INSTANCE:
        raise NotCopyable("not a template instance")
    definition = struct.unpack_from("<I", buf, pos + 10)[0]
    head = bytes(buf[pos : pos + _INSTANCE_HEAD])
    p = pos + _INSTANCE_HEAD
    if definition == base + p:  # defined here: skip the definition
        p += _DEFINITION_HEAD + struct.unpack_from("<I", buf, p + 20)[0]
    elif definition > base + pos:
        raise NotCopyable("the template is defined after its use")
    count = struct.unpack_from("<I", buf, p)[0]
    descriptors = [struct.unpack_from("<HBB", buf, p + 4 + 4 * i) for i in range(count)]
    p += 4 + 4 * count
    rewritten: list[tuple[bytes, int, int]] = []
    for size, kind, spare in descriptors:
        if p + size > len(buf):
            raise NotCopyable("a value runs past the record")
        data = bytes(buf[p : p + size])
        if values is not None:
            values.append(_Value(kind, p, size, depth))
        if kind == _BINXML and size:
            inner, end = _instance(buf, p, base, depth + 1, values)
            if any(buf[end : p + size]):  # only end-of-fragment tokens may follow
                raise NotCopyable("a nested fragment holds more than a template instance")
            data = inner + bytes(p + size - end)
        rewritten.append((data, kind, spare))
        p += size
    out = bytearray(head)
    out += struct.pack("<I", count)
    for data, kind, spare in rewritten:
        if len(data) > 0xFFFF:
            raise NotCopyable("a value too long")
        out += struct.pack("<HBB", len(data), kind, spare)
    for data, _, _ in rewritten:
        out += data
    return bytes(out), p


def _pointing_record(raw: bytes, offset: int) -> bytes:
    """The record rewritten so that every template instance points back at its definition."""
    body, _ = _instance(raw, _RECORD_HEADER.size, offset, 0, None)
    body += b"\x00"  # end of fragment
    size = _RECORD_HEADER.size + len(body) + 4
    padding = -size % 8
    size += padding
    header = _RECORD_HEADER.pack(_RECORD_SIGNATURE, size, 0, 0)
    return header + body + bytes(padding) + struct.pack("<I", size)


def _locate_fields(raw: bytes, offset: int, rng: random.Random) -> _Pattern:
    """Where a record (at chunk offset ``offset``) keeps the fields each copy changes."""
    values: list[_Value] = []
    _instance(raw, _RECORD_HEADER.size, offset, 0, values)
    pattern = _Pattern(bytes(raw), record_ids=[8], filetimes=[16])
    top_ids = [v for v in values if v.depth == 0 and v.kind == _UINT64 and v.size == 8]
    if len(top_ids) == 1:  # the System section's only UInt64 is EventRecordID
        pattern.record_ids.append(top_ids[0].start)
    pattern.filetimes += [
        v.start for v in values if v.depth == 0 and v.kind == _FILETIME and v.size == 8
    ]
    for value in values:
        if value.kind != _STRING:
            continue
        text = raw[value.start : value.start + value.size].decode("utf-16-le", "replace")
        text = text.rstrip("\x00")
        if _SYSMON_TIME.fullmatch(text):
            pattern.sysmon_times.append(value.start)
        elif (variants := _address_variants(text, rng)) is not None:
            pattern.addresses.append((value.start, variants))
    return pattern


def _address_variants(text: str, rng: random.Random) -> list[bytes] | None:
    """Same-length IPv4 addresses in the same /16 as ``text`` (UTF-16), or None."""
    match = _IPV4.fullmatch(text)
    if not match or any(int(octet) > 255 for octet in match.groups()):
        return None
    variants = []
    for _ in range(_ADDRESS_VARIANTS):
        octets = list(match.groups())
        for i in (2, 3):
            octets[i] = _same_width_octet(len(octets[i]), rng)
        variants.append(".".join(octets).encode("utf-16-le"))
    return variants


def _same_width_octet(width: int, rng: random.Random) -> str:
    low, high = {1: (1, 9), 2: (10, 99), 3: (100, 254)}[width]
    return str(rng.randint(low, high))
