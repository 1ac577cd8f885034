"""The spool: atomic batch files, oldest first, counted across restarts, set aside whole."""

from pathlib import Path

from clinicshield.sensor.core.spool import Spool


def test_batches_come_out_oldest_first_and_leave_only_when_acknowledged(tmp_path: Path) -> None:
    spool = Spool(tmp_path, limit_bytes=10_000)
    first = spool.put("a" * 16, 0, 10, "zstd", b"x" * 100)
    second = spool.put("b" * 16, 0, 5, "gzip", b"y" * 50)
    assert spool.oldest() == first and spool.count == 2 and spool.size_bytes == 150
    spool.acknowledge(first)
    assert spool.oldest() == second and spool.count == 1 and spool.size_bytes == 50
    assert not first.path.exists()


def test_a_restarted_spool_knows_what_it_holds_and_numbers_on(tmp_path: Path) -> None:
    spool = Spool(tmp_path, limit_bytes=10_000)
    spool.put("a" * 16, 0, 10, "zstd", b"x" * 100)
    kept = spool.put("a" * 16, 10, 20, "zstd", b"x" * 100)
    (spool.batches / ".000000000009_aaaaaaaaaaaaaaaa_20_30.zstd.tmp").write_bytes(b"half")
    again = Spool(tmp_path, limit_bytes=10_000)
    assert again.count == 2 and again.size_bytes == 200
    assert again.last_end("a" * 16) == 20
    assert not list(again.batches.glob(".*.tmp"))  # half a batch is never queued
    later = again.put("a" * 16, 20, 30, "zstd", b"z")
    assert later.seq == kept.seq + 1
    assert again.identity == spool.identity  # the same syslog stream after a restart


def test_a_full_spool_says_so(tmp_path: Path) -> None:
    spool = Spool(tmp_path, limit_bytes=150)
    spool.put("a" * 16, 0, 1, "zstd", b"x" * 100)
    assert not spool.is_full()
    spool.put("a" * 16, 1, 2, "zstd", b"x" * 100)
    assert spool.is_full()


def test_a_refused_batch_is_set_aside_with_its_reason(tmp_path: Path) -> None:
    spool = Spool(tmp_path, limit_bytes=10_000)
    batch = spool.put("a" * 16, 5, 9, "zstd", b"x")
    spool.hold(batch, "HTTP 409 gap: lines are missing")
    assert spool.count == 0 and spool.oldest() is None
    assert (spool.held / batch.path.name).read_bytes() == b"x"
    why = (spool.held / f"{batch.path.name}.why.txt").read_text()
    assert why == "HTTP 409 gap: lines are missing"


def test_commit_runs_before_the_batch_can_be_taken(tmp_path: Path) -> None:
    spool = Spool(tmp_path, limit_bytes=10_000)
    seen: list[int] = []
    spool.put("a" * 16, 0, 3, "zstd", b"x", commit=lambda: seen.append(spool.count))
    assert seen == [1]
