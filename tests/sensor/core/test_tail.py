"""Following a file: whole lines only, numbered in the file itself, so a rotated file is a
new stream and a sensor that lost its state sends the same numbers again."""

from pathlib import Path

from clinicshield.monitoring.core.sensor_batch import count_lines
from clinicshield.sensor.core.tail import FileTail

LINE = "Mar  3 08:16:{:02d} web1 sshd[1]: Failed password for ana from 203.0.113.5 port 1 ssh2\n"


def lines(first: int, count: int) -> str:
    return "".join(LINE.format(i % 60) for i in range(first, first + count))


def read_all(tail: FileTail, batch_bytes: int = 1 << 20) -> list[tuple[int, int, str, bytes]]:
    found = []
    for chunk in tail.chunks(batch_bytes):
        found.append((chunk.header.start, chunk.header.end, chunk.header.stream, chunk.data))
        tail.commit(chunk)
    return found


def test_only_whole_lines_are_taken_and_each_once(tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    log.write_text(lines(0, 30) + "Mar  3 08:17:00 web1 sshd[1]: half a li")
    tail = FileTail(log, "syslog", "pc1", tmp_path / "state")
    ((start, end, _stream, data),) = read_all(tail)
    assert (start, end) == (0, 30) and count_lines(data) == 30
    with open(log, "a") as handle:
        handle.write("ne\n" + lines(31, 4))
    ((start, end, _stream, data),) = read_all(tail)
    assert (start, end) == (30, 35)
    assert data.startswith(b"Mar  3 08:17:00 web1 sshd[1]: half a line\n")
    assert read_all(tail) == []


def test_batches_are_cut_at_line_ends(tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    log.write_text(lines(0, 100))
    found = read_all(FileTail(log, "syslog", "pc1", tmp_path / "state"), batch_bytes=1000)
    assert len(found) > 5
    assert [s for s, *_ in found[1:]] == [e for _s, e, *_ in found[:-1]]
    assert found[-1][1] == 100 and all(d.endswith(b"\n") for *_, d in found)


def test_a_rotated_file_is_a_new_stream_read_from_its_start(tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    log.write_text(lines(0, 40))
    tail = FileTail(log, "syslog", "pc1", tmp_path / "state")
    ((_s, _e, old_stream, _d),) = read_all(tail)
    log.rename(tmp_path / "auth.log.1")
    log.write_text(lines(100, 25))
    ((start, end, new_stream, _d),) = read_all(tail)
    assert (start, end) == (0, 25) and new_stream != old_stream


def test_lost_state_reads_again_under_the_same_numbers(tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    log.write_text(lines(0, 40))
    first = read_all(FileTail(log, "syslog", "pc1", tmp_path / "state"))
    again = read_all(FileTail(log, "syslog", "pc1", tmp_path / "other-state"))
    assert [(s, e, k) for s, e, k, _d in again] == [(s, e, k) for s, e, k, _d in first]


def test_a_file_of_an_unknown_format_is_named_and_skipped(tmp_path: Path) -> None:
    log = tmp_path / "app.txt"
    log.write_text("hello world\n")
    tail = FileTail(log, "auto", "pc1", tmp_path / "state")
    assert read_all(tail) == []
    assert "format not recognised" in tail.problem and str(log) in tail.problem
