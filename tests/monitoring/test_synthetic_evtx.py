"""Dense synthetic .evtx files: valid for evtx-rs, exact in their ids, true to their samples,
and stored whole by `clinicshield ingest`; on them, the child process that decodes large
.evtx files gives exactly the batches, positions and rejects of decoding in-process."""

import io
import json
import os
import signal
import struct
import zlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import evtx
import pytest

from clinicshield.monitoring.core import ingest
from clinicshield.monitoring.core.parsers import Context, readers
from tests.cli import clinicshield
from tests.monitoring.ingest.helpers import ORG, stored
from tests.monitoring.synthetic_evtx import (
    CHUNK_SIZE,
    FILE_HEADER_SIZE,
    write_dense_evtx,
)

SECURITY = [
    "CA_4624_4625_LogonType2_LogonProc_chrome.evtx",
    "DE_RDP_Tunneling_4624.evtx",
    "LM_4624_mimikatz_sekurlsa_pth_source_machine.evtx",
    "LM_WMI_4624_4688_TargetHost.evtx",
]
SYSMON = "sysmon_mshta_sharpshooter_stageless_meterpreter.evtx"
# Only the records' own values differ between a copy and its original.
PER_COPY = {"EventRecordID", "TimeCreated", "UtcTime", "IpAddress", "SourceIp", "DestinationIp"}


@pytest.fixture
def samples(shared_data: Path) -> list[Path]:
    return [shared_data / "evtx" / name for name in [*SECURITY, SYSMON]]


def _events(path: Path) -> list[dict[str, Any]]:
    """Every record as evtx-rs decodes it, checking each chunk's two CRC32s on the way."""
    parser = evtx.PyEvtxParser(str(path), number_of_threads=1, validate_checksums=True)
    return [
        {"id": r["event_record_id"], **json.loads(r["data"])["Event"]}
        for r in parser.records_json()
    ]


def _chunk_checksums(chunk: bytes) -> tuple[int, int]:
    """The two CRC32s a chunk header must hold: of its records, and of the header itself."""
    free = struct.unpack_from("<I", chunk, 48)[0]
    header = zlib.crc32(chunk[128:512], zlib.crc32(chunk[:120]))
    return zlib.crc32(chunk[512:free]), header


def test_the_checksums_checked_here_are_those_of_the_real_samples(shared_data: Path) -> None:
    for sample in sorted((shared_data / "evtx").glob("*.evtx")):
        chunk = sample.read_bytes()[FILE_HEADER_SIZE:]
        stored = (struct.unpack_from("<I", chunk, 52)[0], struct.unpack_from("<I", chunk, 124)[0])
        assert _chunk_checksums(chunk) == stored, sample.name


def test_evtx_rs_checks_the_chunk_checksums_we_write(tmp_path: Path, samples: list[Path]) -> None:
    path = tmp_path / "Security.evtx"
    write_dense_evtx(path, samples, 1_000)
    assert len(_events(path)) == 1_000
    for field in (52, 124):  # the records' CRC32, the header's CRC32
        data = bytearray(path.read_bytes())
        data[FILE_HEADER_SIZE + field] ^= 0xFF
        path.write_bytes(bytes(data))
        with pytest.raises(RuntimeError, match="CRC32 invalid"):
            _events(path)
        data[FILE_HEADER_SIZE + field] ^= 0xFF
        path.write_bytes(bytes(data))


def test_evtx_rs_reads_every_record_with_the_ids_and_times_asked(
    tmp_path: Path, samples: list[Path]
) -> None:
    start = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    path = tmp_path / "Security.evtx"
    written = write_dense_evtx(path, samples, 12_345, start=start, first_record_id=1001)
    events = _events(path)  # evtx-rs raises on any record it cannot decode
    assert written.records == len(events) == 12_345
    assert [e["id"] for e in events] == list(range(1001, 1001 + 12_345))
    assert [e["System"]["EventRecordID"] for e in events] == [e["id"] for e in events]
    times = [e["System"]["TimeCreated"]["#attributes"]["SystemTime"] for e in events]
    assert times[0] == "2026-03-02T06:00:00.000000Z"
    assert times[-1] == (start + timedelta(seconds=12_344)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert times == sorted(times)
    # Dense as a real log: 1-18 records per chunk in the samples, a hundred or so here.
    assert written.records_per_chunk >= 60
    assert path.stat().st_size == FILE_HEADER_SIZE + written.chunks * CHUNK_SIZE
    addresses = {e["EventData"]["IpAddress"] for e in events if e["System"]["EventID"] == 4624}
    assert len(addresses) > 20


def test_the_file_and_chunk_headers_agree_with_the_records(
    tmp_path: Path, samples: list[Path]
) -> None:
    path = tmp_path / "Security.evtx"
    written = write_dense_evtx(path, samples, 5_000)
    data = path.read_bytes()
    signature, first_chunk, last_chunk, next_id, size, minor, major, block, chunks = (
        struct.unpack_from("<8sQQQIHHHH", data)
    )
    assert (signature, first_chunk, last_chunk) == (b"ElfFile\x00", 0, written.chunks - 1)
    assert (next_id, size, major, minor, block, chunks) == (5_001, 128, 3, 1, 4096, written.chunks)
    assert struct.unpack_from("<I", data, 124)[0] == zlib.crc32(data[:120])
    expected_first = 1
    for n in range(written.chunks):
        chunk = data[FILE_HEADER_SIZE + n * CHUNK_SIZE :][:CHUNK_SIZE]
        first, last, first_id, last_id = struct.unpack_from("<QQQQ", chunk, 8)
        last_offset, free, records_crc = struct.unpack_from("<III", chunk, 44)
        assert (first, first_id) == (expected_first, expected_first)
        assert last == last_id
        assert struct.unpack_from("<Q", chunk, last_offset + 8)[0] == last
        assert last_offset + struct.unpack_from("<I", chunk, last_offset + 4)[0] == free
        assert _chunk_checksums(chunk) == (records_crc, struct.unpack_from("<I", chunk, 124)[0])
        expected_first = last + 1
    assert expected_first == 5_001


@pytest.mark.parametrize("name", [*SECURITY, SYSMON])
def test_copies_decode_to_the_same_events_as_their_sample(
    tmp_path: Path, shared_data: Path, name: str
) -> None:
    sample = shared_data / "evtx" / name
    originals = _events(sample)
    path = tmp_path / "copy.evtx"
    write_dense_evtx(path, [sample], 3_000)
    copies = _events(path)

    def shape(event: dict[str, Any]) -> str:
        system = {k: v for k, v in event["System"].items() if k not in PER_COPY}
        data = {k: v for k, v in (event.get("EventData") or {}).items() if k not in PER_COPY}
        return json.dumps([system, data, event.get("UserData")], sort_keys=True)

    known = {shape(e) for e in originals}
    assert all(shape(e) in known for e in copies)
    # Every record of the sample is copied, in about its share.
    counts = Counter(shape(e) for e in copies)
    assert set(counts) == known
    assert min(counts.values()) >= 3_000 // (2 * len(known) + 2)


def test_clinicshield_ingest_stores_every_logon_and_process_with_no_quarantine(
    tmp_path: Path, samples: list[Path]
) -> None:
    path = tmp_path / "Security.evtx"
    records = 60_000  # two batches of the reader, and large enough for its child decoder
    write_dense_evtx(path, samples, records)
    assert path.stat().st_size > readers.DECODER_MIN_BYTES
    events = _events(path)
    codes = Counter((e["System"]["EventID"], "Sysmon" in e["System"]["Channel"]) for e in events)
    auth = sum(codes[(code, False)] for code in (4624, 4625, 4648, 4768, 4771, 4776))
    process = codes[(4688, False)] + sum(codes[(code, True)] for code in (1, 12, 13))
    flow = codes[(3, True)]
    assert auth and process and flow
    data_dir = tmp_path / "data"
    assert clinicshield(data_dir, "createorg", "--name", "A", "--slug", "clinic-a").code == 0
    result = clinicshield(
        data_dir, "ingest", str(path), "--org", "clinic-a", "--output", "json", timeout=300
    )
    assert result.code == 0, result.err
    [row] = [json.loads(line) for line in result.out.splitlines()]
    assert (row["format"], row["read"], row["quarantined"]) == ("evtx", records, 0)
    assert row["stored"] == auth + process + flow
    again = clinicshield(data_dir, "ingest", str(path), "--org", "clinic-a", "--output", "json")
    assert json.loads(again.out)["read"] == 0


def test_it_refuses_to_write_no_records(tmp_path: Path, samples: list[Path]) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        write_dense_evtx(tmp_path / "empty.evtx", samples, 0)
    with pytest.raises(ValueError, match="not an .evtx file"):
        (tmp_path / "notes.evtx").write_text("hello")
        write_dense_evtx(tmp_path / "x.evtx", [tmp_path / "notes.evtx"], 10)


def _damaged(path: Path, records: list[int]) -> None:
    """Break the given records (0-based): their first binary XML token becomes invalid."""
    data = bytearray(path.read_bytes())
    starts = []
    for chunk in range(FILE_HEADER_SIZE, len(data), CHUNK_SIZE):
        at, free = chunk + 512, chunk + struct.unpack_from("<I", data, chunk + 48)[0]
        while at < free:
            starts.append(at)
            at += struct.unpack_from("<I", data, at + 4)[0]
    for n in records:
        data[starts[n] + 24] = 0xFF
    path.write_bytes(bytes(data))


def _read_all(path: Path, start: int, decoder_min_bytes: int) -> list[tuple[Any, ...]]:
    rejects: list[dict[str, Any]] = []
    seen = []
    for batch in readers.read_evtx_batches(str(path), start, rejects, 1_000, decoder_min_bytes):
        lines = batch.lines.to_pydict()
        seen.append((batch.start, batch.end, batch.first_line, lines, list(rejects)))
        rejects.clear()  # as ingest does: the rejects so far belong to the batch just read
    return seen


def test_a_child_decoder_gives_the_same_batches_positions_and_rejects(
    tmp_path: Path, samples: list[Path]
) -> None:
    path = tmp_path / "Security.evtx"
    write_dense_evtx(path, samples, 6_000)
    _damaged(path, [10, 2_500, 2_501, 5_999])
    for start in (0, 130, 2_400, 5_999, 6_000, 7_000):
        here = _read_all(path, start, decoder_min_bytes=1 << 60)
        child = _read_all(path, start, decoder_min_bytes=0)
        assert child == here, start
    whole = _read_all(path, 0, decoder_min_bytes=0)
    assert [r["record_ref"] for *_, rejects in whole for r in rejects] == [
        "record #10",
        "record #2500",
        "record #2501",
        "record #5999",
    ]
    assert whole[-1][1] == 6_000  # positions count the bad records too


def test_a_run_with_a_child_decoder_that_dies_midway_resumes_exactly(
    tmp_path: Path, samples: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "DECODER_MIN_BYTES", 0)
    path = tmp_path / "Security.evtx"
    write_dense_evtx(path, samples, 8_000)
    context = Context(batch_bytes=1_000 * 512)  # 1,000 records a batch
    expected = ingest.ingest_file(path, data_dir=tmp_path / "expected", org=ORG, context=context)
    moves = 0

    def crash_after_three(_: int) -> None:
        nonlocal moves
        moves += 1
        if moves == 3:
            raise RuntimeError("crash")

    data_dir = tmp_path / "crashed"
    with pytest.raises(RuntimeError, match="crash"):
        ingest.ingest_file(
            path, data_dir=data_dir, org=ORG, context=context, progress=crash_after_three
        )
    resumed = ingest.ingest_file(path, data_dir=data_dir, org=ORG, context=context)
    assert 0 < resumed.read < expected.read == 8_000
    for kind in ("auth", "process"):
        refs = [r["record_ref"] for r in stored(data_dir, kind, order="record_ref")]
        assert refs == [r["record_ref"] for r in stored(tmp_path / "expected", kind, "record_ref")]
    assert _children() == []


def _children() -> list[int]:
    """Decoder processes this one started that are still there (Linux: their parent in
    /proc). Other children of the test run (Spark's JVM, for one) are not counted."""
    mine = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and b"serve_evtx_batches" in command:
            mine.append(int(stat.parent.name))
    return mine


def test_a_reader_closed_early_ends_its_child(tmp_path: Path, samples: list[Path]) -> None:
    path = tmp_path / "Security.evtx"
    write_dense_evtx(path, samples, 6_000)
    batches = readers.read_evtx_batches(str(path), 0, [], 1_000, decoder_min_bytes=0)
    next(batches)
    next(batches)  # from the child
    assert len(_children()) == 1
    batches.close()
    assert _children() == []


def test_a_child_decoder_ignores_ctrl_c_and_sigterm_meant_for_its_parent(
    tmp_path: Path, samples: list[Path]
) -> None:
    # `ingest --follow` stops cleanly on SIGINT or SIGTERM after the file it is reading;
    # the signal reaches the whole process group, the child too.
    path = tmp_path / "Security.evtx"
    write_dense_evtx(path, samples, 6_000)
    here = _read_all(path, 0, decoder_min_bytes=1 << 60)
    rejects: list[dict[str, Any]] = []
    batches = readers.read_evtx_batches(str(path), 0, rejects, 1_000, decoder_min_bytes=0)
    seen = [next(batches), next(batches)]
    [child] = _children()
    for sig in (signal.SIGINT, signal.SIGTERM):
        os.kill(child, sig)
    seen += list(batches)
    assert [(b.start, b.end, b.lines.to_pydict()) for b in seen] == [
        (start, end, lines) for start, end, _, lines, _ in here
    ]
    assert _children() == []


def test_a_child_decoder_error_is_raised_here(tmp_path: Path) -> None:
    odd = tmp_path / "odd.evtx"
    odd.write_bytes(b"ElfFile\x00" + bytes(200))  # a header with nothing after it
    request = {"path": str(odd), "start": 0, "first": 1, "per_batch": 10}
    asked = json.dumps(request).encode() + b"\n"
    sent = io.BytesIO()
    readers.serve_evtx_batches(io.BytesIO(asked), sent)
    sent.seek(0)
    with pytest.raises(Exception) as in_child:
        list(readers._batches_sent(sent, []))
    with pytest.raises(Exception) as in_process:
        list(readers.read_evtx_batches(str(odd), 0, [], 10))
    with pytest.raises(Exception) as through_the_reader:
        list(readers.read_evtx_batches(str(odd), 0, [], 10, decoder_min_bytes=0))
    here = (type(in_process.value), str(in_process.value))
    assert (type(in_child.value), str(in_child.value)) == here
    assert (type(through_the_reader.value), str(through_the_reader.value)) == here
    assert _children() == []
