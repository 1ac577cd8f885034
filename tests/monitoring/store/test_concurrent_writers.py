"""Writers of different streams of one organisation store side by side; one stream still
has one writer at a time, so each line is stored once; compaction and writers wait for each
other; and a crash's leftovers are removed by the next run of their own stream only."""

import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from clinicshield.monitoring.core import checkpoint, ingest, store_layout
from clinicshield.monitoring.core.parsers import Context
from clinicshield.monitoring.core.store_compact import compact_store
from tests.monitoring.ingest.helpers import stored
from tests.monitoring.store.helpers import ORG, day_dir, events, fill

# Lines of 2025-03-01 (the day ``fill`` also writes); the year comes from the context.
LINE = "Mar  1 09:{m:02d}:{s:02d} web1 sshd[4{s}]: Failed password for {user} from 203.0.113.{s} port {m}{s} ssh2"  # noqa: E501
WAIT = 60  # seconds: generous bound for work that must finish, never a proof by sleeping

pytestmark = pytest.mark.real_clock(
    reason="Thread.join(timeout) and Popen.wait(timeout) never return under libfaketime"
)


def lines(user: str, count: int, minute: int = 0) -> list[str]:
    return [LINE.format(m=minute, s=s, user=user) for s in range(count)]


def store_lines(data: Path, stream: str, messages: list[str]) -> ingest.IngestResult:
    return ingest.ingest_lines(
        messages,
        data_dir=data,
        org=ORG,
        source=stream,
        fmt="syslog",
        context=Context(year=2025, file_mtime=datetime(2025, 3, 1, 12, tzinfo=UTC)),
        stream=stream,
    )


def in_thread(work: Any, *args: Any) -> tuple[threading.Thread, list[Any]]:
    """Start ``work(*args)`` on a thread; its result (or error) lands in the list."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(work(*args))
        except BaseException as error:  # handed to the test, which fails on it
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


_HOLDER = """
import sys
from pathlib import Path
from clinicshield.monitoring.core import store_layout
with store_layout.writer_lock(Path(sys.argv[1]), sys.argv[2], sys.argv[3]):
    print("held", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[Any]:
    """Another process, in the middle of a batch of a stream (or a file source): it holds
    that stream's writer lock (as ``ingest_lines`` does while it stores) until told to let
    go."""
    started: list[subprocess.Popen[str]] = []

    def hold(data: Path, stream: str, writer: Any = store_layout.stream_writer) -> Any:
        process = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(data), ORG, writer(stream)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout is not None
        assert process.stdout.readline() == "held\n"
        return process

    yield hold
    for process in started:
        process.kill()
        process.wait()


def let_go(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.write("\n")
    process.stdin.flush()
    assert process.wait(timeout=WAIT) == 0


def test_a_stream_is_stored_while_another_stream_of_the_organisation_is_being_written(
    tmp_path: Path, holder: Any
) -> None:
    data = tmp_path / "data"
    busy = holder(data, "sensor/1/pc1/auth.log/a")

    # Done while the other process is still in the middle of its stream's batch.
    result = store_lines(data, "sensor/2/pc1/auth.log/b", lines("bea", 20))

    assert busy.poll() is None
    assert result.stored == {"auth": 20}
    assert len(events(data)) == 20
    let_go(busy)


def test_a_file_is_ingested_while_a_file_of_another_source_is_being_written(
    tmp_path: Path, holder: Any
) -> None:
    data = tmp_path / "data"
    busy = holder(data, "first.log", store_layout.file_writer)
    log = tmp_path / "second.log"
    log.write_text("\n".join(lines("bea", 8)) + "\n")

    result = ingest.ingest_file(
        log, data_dir=data, org=ORG, fmt="syslog", source="second.log", context=Context(year=2025)
    )

    assert busy.poll() is None
    assert result.stored == {"auth": 8}
    let_go(busy)


def test_a_second_writer_of_the_same_stream_waits_and_each_line_is_stored_once(
    tmp_path: Path, holder: Any
) -> None:
    data = tmp_path / "data"
    stream = "sensor/1/pc1/auth.log/a"
    busy = holder(data, stream)

    waiting, outcome = in_thread(store_lines, data, stream, lines("ana", 10))
    other = store_lines(data, "sensor/2/pc1/auth.log/b", lines("bea", 5))
    assert waiting.is_alive() and not outcome  # another stream went by; this one waits
    let_go(busy)
    waiting.join(WAIT)

    assert outcome[0].stored == {"auth": 10} and other.stored == {"auth": 5}
    assert checkpoint.for_stream(data, ORG, stream).position == 10


def test_many_writers_of_one_stream_at_once_store_every_message_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    stream = "syslog-receiver"
    store_lines(data, stream, lines("first", 1))  # the store's folders exist: a real race
    threads = [
        in_thread(store_lines, data, stream, lines(f"user{n}", 7, minute=n)) for n in range(8)
    ]
    for thread, _outcome in threads:
        thread.join(WAIT)

    assert all(outcome[0].stored == {"auth": 7} for _thread, outcome in threads)
    assert checkpoint.for_stream(data, ORG, stream).position == 1 + 8 * 7
    refs = sorted(row["record_ref"] for row in stored(data, "auth"))
    assert refs == sorted(f"message {n}" for n in range(1, 58))


def test_compaction_waits_for_a_writer_at_work(tmp_path: Path, holder: Any) -> None:
    data = tmp_path / "data"
    fill(data)
    files = sorted(day_dir(data, "2025-03-01").glob("*.parquet"))
    busy = holder(data, "sensor/1/pc1/auth.log/a")

    compaction, outcome = in_thread(compact_store, data, ORG, date(2025, 3, 4))
    compaction.join(1)
    assert compaction.is_alive() and not outcome
    assert sorted(day_dir(data, "2025-03-01").glob("*.parquet")) == files  # untouched
    let_go(busy)
    compaction.join(WAIT)

    assert outcome[0].days == 1
    assert len(list(day_dir(data, "2025-03-01").glob("*.parquet"))) == 1


def test_a_writer_waits_for_a_compaction_and_new_writers_do_not_starve_it(
    tmp_path: Path, holder: Any
) -> None:
    data = tmp_path / "data"
    busy = holder(data, "sensor/1/pc1/auth.log/a")
    compaction, compacted = in_thread(compact_store_when_locked, data)
    compaction.join(1)
    assert compaction.is_alive()  # waiting for the writer at work

    # A writer that arrives while the compaction waits lets it go first (flock alone would
    # let every new writer in beside the one at work, and a busy chain never compacts).
    late, outcome = in_thread(store_lines, data, "sensor/2/pc1/auth.log/b", lines("bea", 3))
    late.join(1)
    assert late.is_alive() and not outcome
    let_go(busy)
    compaction.join(WAIT)
    late.join(WAIT)

    assert compacted == [0]  # the late writer's batch was not there yet
    assert outcome[0].stored == {"auth": 3}


def compact_store_when_locked(data: Path) -> int:
    """Hold the store as compaction does; the event files found meanwhile."""
    with store_layout.store_lock(data, ORG):
        return len(list(day_dir(data, "2025-03-01").glob("*.parquet")))


def crash_after_writing(data: Path, stream: str, messages: list[str]) -> None:
    """Store a batch and then put the stream's checkpoint back where it was: what a writer
    killed after its files were named, before its checkpoint moved, leaves behind."""
    cp = checkpoint.for_stream(data, ORG, stream)
    saved = data / "checkpoints" / f"org={ORG}" / f"{cp.key}.json"
    before = saved.read_bytes() if saved.exists() else None
    store_lines(data, stream, messages)
    if before is None:
        saved.unlink()
    else:
        saved.write_bytes(before)


def test_a_crashed_batch_is_removed_by_its_own_streams_next_run_and_no_other(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    crashed, other = "sensor/1/pc1/auth.log/a", "sensor/2/pc1/auth.log/b"
    store_lines(data, crashed, lines("ana", 4))
    crash_after_writing(data, crashed, lines("ana", 6, minute=1))
    key = checkpoint.for_stream(data, ORG, crashed).key
    leftover = sorted(p.name for p in day_dir(data, "2025-03-01").glob(f"{key}-*"))
    assert len(leftover) == 2  # the committed batch and the crashed one

    store_lines(data, other, lines("bea", 3))  # another stream's run leaves it alone
    assert sorted(p.name for p in day_dir(data, "2025-03-01").glob(f"{key}-*")) == leftover

    store_lines(data, crashed, lines("ana", 6, minute=1))  # the sensor sends it again
    assert len(events(data)) == 4 + 6 + 3
    assert checkpoint.for_stream(data, ORG, crashed).position == 10
