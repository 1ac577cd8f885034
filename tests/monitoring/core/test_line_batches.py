"""Line files in batches: whole lines, every one once, and after the small first batch an
even number of batches of about the same size (two are parsed at a time)."""

from pathlib import Path

import pytest

from clinicshield.monitoring.core.parsers.base import even_batch_size, read_line_batches


def write_lines(path: Path, count: int) -> list[str]:
    lines = [
        f"Mar  3 08:{n // 60 % 60:02d}:{n % 60:02d} web1 app[{n}]: message {n}"
        for n in range(count)
    ]
    path.write_text("".join(line + "\n" for line in lines))
    return lines


@pytest.mark.parametrize("count", [1, 7, 500, 2_000, 3_333])
def test_every_line_comes_once_and_in_order(tmp_path: Path, count: int) -> None:
    lines = write_lines(tmp_path / "app.log", count)

    batches = list(read_line_batches(str(tmp_path / "app.log"), 0, 1, batch_bytes=8_192))

    read = [line.rstrip("\n") for b in batches for line in b.lines["line"].to_pylist()]
    assert read == lines
    assert [b.first_line for b in batches] == [
        1 + sum(b.lines.num_rows for b in batches[:i]) for i in range(len(batches))
    ]
    assert all(b.start == a.end for a, b in zip(batches, batches[1:], strict=False))


def test_the_batches_after_the_first_come_in_pairs_of_even_size(tmp_path: Path) -> None:
    write_lines(tmp_path / "app.log", 3_333)  # about 190 KB: 23 batches of 8 KiB at most
    size = (tmp_path / "app.log").stat().st_size

    batches = list(read_line_batches(str(tmp_path / "app.log"), 0, 1, batch_bytes=8_192))

    after_first = [b.end - b.start for b in batches[1:]]
    assert len(after_first) % 2 == 0
    assert max(after_first) - min(after_first) < 200  # one line, give or take
    assert batches[0].end - batches[0].start <= 1_024
    assert batches[-1].end == size


@pytest.mark.parametrize(
    ("left", "expected"),
    [(0, 1), (100, 13), (16, 8), (17, 9), (33, 9), (64, 16), (65, 11)],
)
def test_even_batch_size(left: int, expected: int) -> None:
    assert even_batch_size(left, batch_bytes=16) == expected
