"""The issue's test: a real central `clinicshield serve`, two site sensors tailing files
that grow, and the central server killed (SIGKILL, every process of it) and started again
mid-stream. In the end every line is in the central store once: 0 lost, 0 twice."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from tests.cli import clinicshield
from tests.conftest import free_port
from tests.sensor.processes import auth_lines, start_sensor, token_file, wait_for

LINES_PER_SITE = 3000
MAKE_SITES = """
from clinicshield.accounts.actions import do_create_site, do_create_site_token
from clinicshield.accounts.models import Organisation
org = Organisation.objects.get(slug="chain")
for name in ("Norte", "Sur"):
    print(do_create_site_token(do_create_site(org, name, "test"), "pc", "test"))
"""


class Central:
    """`clinicshield serve` on a loopback port with a data dir of its own."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir, self.port = data_dir, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICSHIELD_")}
        env["CLINICSHIELD_DATA_DIR"] = str(self.data_dir)
        command = [sys.executable, "-m", "clinicshield.cli", "serve", "--port", str(self.port)]
        log = open(self.data_dir / "serve.log", "a")  # noqa: SIM115 - the child keeps it
        self.process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_for(self.answers, 120, "the central server to answer")

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                return bool(json.loads(response.read())["database"] == "ok")
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL to serve, gunicorn's master and workers and the job worker at once."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def grow(path: Path, web: int, stop: threading.Event) -> None:
    """Append LINES_PER_SITE lines, 60 every tenth of a second, as a busy log grows."""
    for first in range(0, LINES_PER_SITE, 60):
        with open(path, "a") as handle:
            handle.write(auth_lines(first, min(60, LINES_PER_SITE - first), web=web))
        if stop.wait(0.1):
            return


def per_site(data_dir: Path) -> dict[str, tuple[int, int]]:
    """Per site: (events stored, distinct lines among them) in the central store."""
    files = list((data_dir / "events" / "org=chain" / "kind=auth").glob("day=*/*.parquet"))
    if not files:
        return {}
    rows = duckdb.execute(
        "SELECT split_part(source, '/', 1), count(*), count(DISTINCT (host, src_port)) "
        "FROM read_parquet($files) GROUP BY 1",
        {"files": [str(f) for f in files]},
    ).fetchall()
    return {site.rsplit("-", 1)[0]: (int(n), int(distinct)) for site, n, distinct in rows}


def total(data_dir: Path) -> int:
    return sum(n for n, _distinct in per_site(data_dir).values())


@pytest.mark.real_clock(
    reason="gunicorn's worker heartbeat, and the sensors' Event.wait(timeout), under libfaketime"
)
def test_two_sensors_lose_nothing_and_repeat_nothing_when_the_central_server_is_killed(
    tmp_path: Path,
) -> None:
    central = Central(tmp_path / "central")
    central.data_dir.mkdir()
    assert (
        clinicshield(central.data_dir, "createorg", "--name", "Chain", "--slug", "chain").code == 0
    )
    made = clinicshield(central.data_dir, "shell", "-c", MAKE_SITES)
    tokens = [line for line in made.out.split() if line.startswith("cs_site_")]
    assert len(tokens) == 2, made.err
    central.start()
    stop = threading.Event()
    sensors, writers = [], []
    try:
        for number, token in enumerate(tokens, start=1):
            home = tmp_path / f"site{number}"
            home.mkdir()
            log = home / "auth.log"
            log.touch()
            writers.append(threading.Thread(target=grow, args=(log, number, stop)))
            sensors.append(
                start_sensor(
                    home,
                    central.url,
                    token_file(home, token),
                    "--spool",
                    str(home / "spool"),
                    "--follow",
                    f"syslog:{log}",
                    "--name",
                    "pc",
                    "--interval",
                    "0.2",
                    "--batch-kb",
                    "16",
                    "--heartbeat",
                    "2",
                )  # fmt: skip
            )
        for writer in writers:
            writer.start()
        wait_for(lambda: total(central.data_dir) >= 600, 120, "the first events centrally")
        central.kill()
        before = total(central.data_dir)
        time.sleep(3)  # the logs keep growing, the sensors spool and retry
        central.start()
        for writer in writers:
            writer.join(120)
        wait_for(lambda: total(central.data_dir) >= 2 * LINES_PER_SITE, 240, "every line")
        time.sleep(2)  # anything sent twice would land now
    finally:
        stop.set()
        for sensor in sensors:
            sensor.send_signal(signal.SIGTERM)
        outputs = [sensor.communicate(timeout=60) for sensor in sensors]
        central.stop()
    assert 0 < before < 2 * LINES_PER_SITE, "the kill was not mid-stream"
    counted = per_site(central.data_dir)
    assert counted == {"norte": (LINES_PER_SITE, LINES_PER_SITE), "sur": (LINES_PER_SITE,) * 2}
    for sensor, (out, err) in zip(sensors, outputs, strict=True):
        assert sensor.returncode == 0, err
        assert f"stopped; {LINES_PER_SITE} line(s) sent, 0 batch(es) waiting" in out
        assert "cannot send" in err  # each sensor saw the outage and waited it out
