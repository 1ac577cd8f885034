"""`clinicshield store compact` through the real entry point, killed with SIGKILL at each
step of a day's swap: the next run and a read give every event exactly once."""

import json
import signal
from datetime import date
from pathlib import Path

import pytest

from clinicshield.monitoring.core.store_compact import KILL_AT_ENV
from tests.cli import clinicshield
from tests.monitoring.store.helpers import ORG, day_dir, events, fill


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    assert clinicshield(data, "createorg", "--name", "A", "--slug", ORG).code == 0
    fill(data)
    return data


def _compact(data: Path, env: dict[str, str] | None = None) -> tuple[int, dict]:
    result = clinicshield(
        data,
        "store",
        "compact",
        "--org",
        ORG,
        "--before",
        "2025-03-10",
        "--format",
        "json",
        env=env,
    )
    return result.code, json.loads(result.out) if result.code == 0 else {}


def test_it_prints_what_it_compacted(data_dir: Path) -> None:
    files = len(list(data_dir.glob("events/org=*/kind=auth/day=*/*.parquet")))

    code, document = _compact(data_dir)

    assert code == 0
    assert document["days_compacted"] == 2
    assert (document["files_before"], document["files_after"]) == (files, 2)
    assert document["days_skipped"] == []


@pytest.mark.parametrize("step", ["written", "hidden", "swapped"])
def test_a_kill_9_at_any_step_loses_and_duplicates_nothing(data_dir: Path, step: str) -> None:
    before = events(data_dir)

    code, _document = _compact(data_dir, {KILL_AT_ENV: step})

    assert code == -signal.SIGKILL
    # Before the swap readers see the old files, after it the merged one; between the two
    # renames the day being swapped (the first) is hidden from them, never doubled.
    hidden = {"hidden": date(2025, 3, 1)}.get(step)
    assert events(data_dir) == [row for row in before if row[0].date() != hidden]
    code, document = _compact(data_dir)
    assert code == 0
    assert events(data_dir) == before
    for day in ("2025-03-01", "2025-03-05"):
        assert [p.name[:10] for p in day_dir(data_dir, day).glob("*.parquet")] == ["compacted-"]
    assert not list(day_dir(data_dir, "x").parent.glob(".day=*"))


def test_it_refuses_a_bad_day(data_dir: Path) -> None:
    result = clinicshield(data_dir, "store", "compact", "--org", ORG, "--before", "March")

    assert result.code == 2
    assert "--before 'March'" in result.err
