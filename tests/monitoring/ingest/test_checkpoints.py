"""Checkpoints: ingesting again adds nothing; a growing file adds only its new lines; a
process killed with SIGKILL in the middle loses and duplicates nothing on restart."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clinicshield.monitoring.core import ingest, synthetic
from clinicshield.monitoring.core.parsers import Context
from tests.monitoring.ingest.helpers import ORG, quarantined, run, stored, write

LINE = (
    "Mar  3 08:16:{s:02d} web1 sshd[{s}]: Failed password for root from 203.0.113.5 port {s} ssh2"
)


def test_ingesting_the_same_file_again_adds_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "auth.log", [LINE.format(s=s) for s in range(10)])
    first = run(tmp_path, path, "syslog", year=2026)
    again = run(tmp_path, path, "syslog", year=2026)
    assert first.stored == {"auth": 10}
    assert again.read == 0 and again.stored_total == 0
    assert len(stored(tmp_path, "auth")) == 10


def test_a_copy_under_another_name_is_recognised_by_its_content(tmp_path: Path) -> None:
    path = write(tmp_path / "auth.log", [LINE.format(s=s) for s in range(10)])
    run(tmp_path, path, "syslog", year=2026)
    copy = tmp_path / "auth.log.1"
    shutil.copy(path, copy)
    assert run(tmp_path, copy, "syslog", year=2026).stored_total == 0


def test_a_file_already_read_as_another_source_is_refused_not_counted_twice(
    tmp_path: Path,
) -> None:
    lines = [LINE.format(s=s) for s in range(60)]  # over a KiB: found by its fingerprint
    path = write(tmp_path / "auth.log", lines)
    run(tmp_path, path, "syslog", year=2026)
    copy = tmp_path / "elsewhere" / "auth.log"
    copy.parent.mkdir()
    shutil.copy(path, copy)
    with pytest.raises(ValueError, match="already read as log source 'syslog'.*--source syslog"):
        run(tmp_path, copy, "syslog", year=2026, source="web1-auth")
    short = write(tmp_path / "short.log", lines[:2])  # under a KiB: compared one by one
    run(tmp_path, short, "syslog", year=2026, source="web2-auth")
    with pytest.raises(ValueError, match="already read as log source 'web2-auth'"):
        run(tmp_path, short, "syslog", year=2026)
    assert len(stored(tmp_path, "auth")) == 62


def test_a_growing_log_adds_only_its_new_lines_with_their_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path / "auth.log", [LINE.format(s=s) for s in range(30)])
    run(tmp_path, path, "syslog", year=2026)
    with open(path, "a") as handle:
        handle.write("not syslog\n" + LINE.format(s=59) + "\n")
    later = run(tmp_path, path, "syslog", year=2026)
    assert later.read == 2 and later.stored == {"auth": 1} and later.quarantined == 1
    assert quarantined(tmp_path)[0]["record_ref"] == "line 31"
    assert stored(tmp_path, "auth")[-1]["record_ref"] == "line 32"


_CHILD = """
import sys
from pathlib import Path
from clinicshield.monitoring.core import ingest
from clinicshield.monitoring.core.parsers import Context
ingest.ingest_file(Path(sys.argv[1]), data_dir=Path(sys.argv[2]), org=sys.argv[3],
                   fmt="syslog", context=Context(year=2025, batch_bytes=24 * 1024))
"""


def _checkpoint_position(data_dir: Path) -> int:
    import json

    for path in (data_dir / "checkpoints" / f"org={ORG}").glob("*.json"):
        return int(json.loads(path.read_text())["position"])
    return 0


def test_a_kill_9_in_the_middle_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    synthetic.write_sshd_auth_log(log, 12_000, seed=3)
    expected_dir = tmp_path / "expected"
    expected = run(expected_dir, log, "syslog", year=2025)  # one batch

    killed_dir = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(log), str(killed_dir), ORG], env=env
    )
    deadline = time.monotonic() + 60
    while _checkpoint_position(killed_dir) < log.stat().st_size // 4:
        assert child.poll() is None, "the ingestion finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    assert child.wait() == -signal.SIGKILL
    position = _checkpoint_position(killed_dir)
    assert 0 < position < log.stat().st_size

    resumed = run(killed_dir, log, "syslog", year=2025, batch_bytes=24 * 1024)
    assert resumed.read < expected.read  # it went on from the checkpoint
    rows = stored(killed_dir, "auth", order="record_ref")
    assert len(rows) == expected.stored["auth"]
    assert len({r["record_ref"] for r in rows}) == len(rows)
    assert [r["record_ref"] for r in rows] == [
        r["record_ref"] for r in stored(expected_dir, "auth", order="record_ref")
    ]
    leftovers = list(killed_dir.rglob("*.tmp"))
    assert leftovers == []


def test_a_log_first_seen_smaller_than_its_fingerprint_is_still_followed(tmp_path: Path) -> None:
    path = write(tmp_path / "auth.log", [LINE.format(s=s) for s in range(3)])  # < 1 KiB
    run(tmp_path, path, "syslog", year=2026)
    with open(path, "a") as handle:
        handle.writelines(LINE.format(s=s) + "\n" for s in range(3, 40))  # now > 1 KiB
    assert run(tmp_path, path, "syslog", year=2026).stored == {"auth": 37}
    assert run(tmp_path, path, "syslog", year=2026).stored_total == 0
    assert len(stored(tmp_path, "auth")) == 40


class _Crash(Exception):
    pass


def test_batches_stored_ahead_of_the_checkpoint_are_written_once_after_a_crash(
    tmp_path: Path,
) -> None:
    # Workers store batches side by side, so when a run dies, batches after the checkpoint
    # may already be on disk. Here the run dies right after its second checkpoint, while
    # the worker threads finish the batches already handed to them.
    log = tmp_path / "auth.log"
    synthetic.write_sshd_auth_log(log, 12_000, seed=4)
    expected = run(tmp_path / "expected", log, "syslog", year=2025)
    data_dir = tmp_path / "crashed"
    moves = 0

    def crash_after_two(_: int) -> None:
        nonlocal moves
        moves += 1
        if moves == 2:
            raise _Crash

    context = Context(year=2025, batch_bytes=24 * 1024)
    with pytest.raises(_Crash):
        ingest.ingest_file(
            log, data_dir=data_dir, org=ORG, fmt="syslog", context=context,
            progress=crash_after_two,
        )  # fmt: skip
    position = _checkpoint_position(data_dir)
    ahead = [
        p for p in (data_dir / "events").rglob("*.parquet") if int(p.stem.split("-")[1]) >= position
    ]
    assert ahead, "no batch was stored ahead of the checkpoint: the case is not exercised"

    resumed = run(data_dir, log, "syslog", year=2025, batch_bytes=24 * 1024)
    assert resumed.read == expected.read - _lines_before(log, position)
    refs = [r["record_ref"] for r in stored(data_dir, "auth", order="record_ref")]
    assert refs == [r["record_ref"] for r in stored(tmp_path / "expected", "auth", "record_ref")]


def _lines_before(path: Path, position: int) -> int:
    return path.read_bytes()[:position].count(b"\n")


def test_an_unchanged_evtx_file_is_not_decoded_again_to_skip_its_records(
    tmp_path: Path, shared_data: Path
) -> None:
    samples = shared_data / "evtx"
    path = tmp_path / "Security.evtx"
    path.write_bytes((samples / "LM_4624_mimikatz_sekurlsa_pth_source_machine.evtx").read_bytes())
    first = run(tmp_path, path)
    assert first.read == 6
    # Swap in another chunk of 18 records behind the same file header, keeping the size and
    # the modification time: a run that decoded the file again to skip the 6 records it
    # stored would find 12 more.
    stat = path.stat()
    data = bytearray(path.read_bytes())
    data[4096:] = (samples / "DE_RDP_Tunneling_4624.evtx").read_bytes()[4096:]
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert run(tmp_path, path).read == 0
    # Once its modification time moves, it is decoded again and the 12 are read.
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert run(tmp_path, path).read == 12


def test_a_file_that_cannot_be_made_durable_holds_the_checkpoint_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Files are made durable and named on threads of their own while parsing goes on: a
    # failure there (here the third file's, as a full disk would fail it) must stop the
    # run before the checkpoint passes that file's batch, and a later run stores the rest
    # exactly once.
    from clinicshield.monitoring.core import store

    lines = [LINE.format(s=s % 60).replace("root", f"user{s}") for s in range(3000)]
    path = write(tmp_path / "auth.log", lines)
    real_publish = store.publish
    calls: list[Path] = []

    def failing_publish(tmp: Path, target: Path) -> None:
        calls.append(target)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_publish(tmp, target)

    monkeypatch.setattr(store, "publish", failing_publish)
    with pytest.raises(OSError, match="No space left"):
        run(tmp_path, path, "syslog", year=2025, batch_bytes=24 * 1024)
    monkeypatch.setattr(store, "publish", real_publish)

    again = run(tmp_path, path, "syslog", year=2025, batch_bytes=24 * 1024)

    users = [row["user"] for row in stored(tmp_path, "auth", order="user")]
    assert sorted(users) == sorted(f"user{s}" for s in range(3000))
    assert 0 < again.read < 3000  # the batches before the failure were not read again
