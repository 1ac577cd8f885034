"""`clinicshield ingest --follow`: a growing log is read as it grows, a rotated one from its
start, and SIGTERM stops it cleanly. Through the real entry point, in a subprocess."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli import clinicshield

LINE = (
    "Mar  3 08:16:{s:02d} web1 sshd[{s}]: Failed password for root from 203.0.113.5 port {s} ssh2\n"
)


def _lines(first: int, count: int) -> str:
    return "".join(LINE.format(s=s) for s in range(first, first + count))


def _read_rows(process: subprocess.Popen[str], count: int, timeout: float = 60) -> list[dict]:
    """The next ``count`` JSON rows the follower prints."""
    rows: list[dict] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while len(rows) < count:
        assert time.monotonic() < deadline, f"only {rows} after {timeout} s"
        line = process.stdout.readline()
        assert line, f"the follower ended early: {process.stderr.read() if process.stderr else ''}"
        rows.append(json.loads(line))
    return rows


# `--follow` waits with threading.Event.wait(interval). Under libfaketime (0.9.10) with Python
# 3.11 such a wait never times out (Python times lock waits with sem_clockwait, which libfaketime
# does not intercept), so the follower would never read again. The test passes --year itself.
@pytest.mark.real_clock(reason="Event.wait(timeout) never returns under libfaketime")
def test_it_follows_a_growing_and_rotated_log_until_sigterm(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert clinicshield(data_dir, "createorg", "--name", "A", "--slug", "clinic-a").code == 0
    log = tmp_path / "auth.log"
    log.write_text(_lines(0, 3))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CLINICSHIELD_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env["CLINICSHIELD_DATA_DIR"] = str(data_dir)
    later = tmp_path / "secure.log"  # not there yet when the follower starts
    command = [sys.executable, "-m", "clinicshield.cli", "ingest", str(log), str(later)]
    command += ["--org", "clinic-a"]
    options = ["--year", "2026", "--output", "json", "--follow", "--interval", "0.2"]
    process = subprocess.Popen(
        [*command, *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        (first,) = _read_rows(process, 1)
        assert (first["read"], first["stored"]) == (3, 3)

        with open(log, "a") as handle:  # the log grows
            handle.write(_lines(3, 2))
        (grown,) = _read_rows(process, 1)
        assert (grown["read"], grown["stored"]) == (2, 2)

        log.rename(tmp_path / "auth.log.1")  # rotation: a new file under the same name
        log.write_text(_lines(40, 4))
        (rotated,) = _read_rows(process, 1)
        assert (rotated["read"], rotated["stored"]) == (4, 4)

        later.write_text(_lines(50, 2))  # the missing file appears
        (appeared,) = _read_rows(process, 1)
        assert (appeared["file"], appeared["format"], appeared["stored"]) == (
            str(later),
            "syslog",
            2,
        )
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    err = process.stderr.read() if process.stderr else ""
    assert code == 0, err
    assert f"{later}: no data yet; it will be read when it has some" in err
    again = clinicshield(data_dir, "ingest", str(log), "--org", "clinic-a", "--output", "json")
    assert json.loads(again.out)["read"] == 0  # everything was stored, and only once
