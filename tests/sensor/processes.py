"""Real sensor processes for the tests, and how to count what reached the event store."""

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

SYSLOG_LINE = (
    "Mar  3 08:{m:02d}:{s:02d} web{w} sshd[4242]: Failed password for ana from "
    "203.0.113.{n} port {p} ssh2\n"
)


def auth_lines(first: int, count: int, web: int = 1) -> str:
    """Failed sign-ins, each different (its port is its number), on 3 March."""
    return "".join(
        SYSLOG_LINE.format(m=(i // 60) % 60, s=i % 60, w=web, n=i % 250, p=10000 + i)
        for i in range(first, first + count)
    )


def sensor_env(tmp_path: Path) -> dict[str, str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CLINICSHIELD_")
        and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    home = tmp_path / "sensor-home"  # the sensor's own data dir: it has no database
    home.mkdir(exist_ok=True)
    environment["CLINICSHIELD_DATA_DIR"] = str(home)
    return environment


def token_file(tmp_path: Path, token: str, name: str = "site.token") -> Path:
    path = tmp_path / name
    path.write_text(token + "\n")
    path.chmod(0o600)
    return path


def start_sensor(tmp_path: Path, server: str, token: Path, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "clinicshield.cli", "sensor", "--server", server]
    return subprocess.Popen(
        [*command, "--token-file", str(token), *args],
        env=sensor_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_sensor(
    tmp_path: Path, server: str, token: Path, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "clinicshield.cli", "sensor", "--server", server]
    return subprocess.run(
        [*command, "--token-file", str(token), *args],
        env=sensor_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def stored(data_dir: Path, org: str, kind: str = "auth") -> tuple[int, int]:
    """(events, distinct events) of ``kind`` in the store: the pair differs on duplicates.
    Events are told apart by their source, stream file and position in it."""
    files = list((data_dir / "events" / f"org={org}" / f"kind={kind}").glob("day=*/*.parquet"))
    if not files:
        return 0, 0
    query = (
        "SELECT count(*), count(DISTINCT (source, source_file, record_ref)) "
        "FROM read_parquet($files)"
    )
    row = duckdb.execute(query, {"files": [str(f) for f in files]}).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
