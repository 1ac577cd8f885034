"""Dense synthetic .evtx files: valid for evtx-rs, exact in their ids, true to their samples,
and stored whole by `clinicshield ingest`."""

import json
import struct
import zlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import evtx
import pytest

from clinicshield.monitoring.core.synthetic_evtx import (
    CHUNK_SIZE,
    FILE_HEADER_SIZE,
    write_dense_evtx,
)
from tests.cli import clinicshield

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
    parser = evtx.PyEvtxParser(str(path), number_of_threads=1)
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
    records = 40_000  # more than one batch of the reader
    write_dense_evtx(path, samples, records)
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
