"""write_once: a file made once, never seen half-written, by whichever process is first."""

import multiprocessing
import os
import stat
from pathlib import Path
from typing import Any

from clinicshield.lib.write_once import write_once


def test_it_creates_the_file_private_and_leaves_nothing_else(tmp_path: Path) -> None:
    box = tmp_path / "box"
    box.mkdir()
    key = box / "secret_key"
    write_once(key, "first", mode=0o600)
    assert key.read_text() == "first"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert [p.name for p in box.iterdir()] == ["secret_key"]


def test_a_file_already_there_is_kept(tmp_path: Path) -> None:
    box = tmp_path / "box"
    box.mkdir()
    key = box / "secret_key"
    write_once(key, "first")
    write_once(key, "second")
    assert key.read_text() == "first"
    assert [p.name for p in box.iterdir()] == ["secret_key"]


def _race(path: str, text: str, start: Any, out: Any) -> None:
    start.wait()
    try:
        write_once(Path(path), text)
        out.put(Path(path).read_text())  # what this process goes on with
    except Exception as error:  # reported, so the test fails instead of waiting for it
        out.put(f"failed: {error!r}")


def test_processes_starting_together_all_read_the_one_text_that_won(tmp_path: Path) -> None:
    # Twelve processes find the file missing at once, ten times over. Creating the file in
    # place, then writing it, failed here in 7 rounds of 20: some processes read it empty,
    # or found it made by another between their look and their exclusive create.
    context = multiprocessing.get_context("fork")
    racers = 12
    for round_ in range(10):
        box = tmp_path / f"box{round_}"
        box.mkdir()
        key = box / "secret_key"
        start, out = context.Barrier(racers), context.Queue()
        processes = [
            context.Process(target=_race, args=(str(key), f"key-{n}", start, out))
            for n in range(racers)
        ]
        for process in processes:
            process.start()
        seen = [out.get() for _ in processes]
        for process in processes:
            process.join()
        assert len(set(seen)) == 1 and seen[0] == key.read_text(), seen
        assert seen[0] in {f"key-{n}" for n in range(racers)}
        assert [p.name for p in box.iterdir()] == ["secret_key"]
