"""A site's scans run by its sensor, for real: a central `clinicshield serve` and a
`clinicshield sensor` process inside a lab of network namespaces made by the test (the
clinic's network, 10.213.9.0/24, exists only there), the product's scanner finding a
listener on a lab host, and the central server storing what the sensor saw with its drift
and alert, as for a central scan. The other site's scan is left alone: its sensor is not
running, and the central worker does not take it either."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli import clinicshield
from tests.conftest import free_port
from tests.exposure.conftest import lab_tag
from tests.exposure.exposure_netlab import Host, Lab, inside
from tests.sensor.processes import sensor_env, token_file, wait_for
from tests.system import need_root_netns

pytestmark = pytest.mark.real_clock(
    reason="gunicorn's worker heartbeat, and the sensor's Event.wait(timeout), under libfaketime"
)

SUBNET = "10.213.9"
SETUP = """
from clinicshield.accounts.actions import do_create_site_token
from clinicshield.accounts.models import Organisation
from clinicshield.exposure.actions import do_add_network
org = Organisation.objects.get(slug="chain")
for name, cidr in (("Norte", "10.213.9.0/28"), ("Sur", "10.213.10.0/28")):
    network = do_add_network(org, name, "clinical", cidr, "test", ports="22,3389,5900")
    network.scan_every_days = 0  # scans are started by the test, never by the clock
    network.save(update_fields=["scan_every_days"])
    print(do_create_site_token(network.site, "pc", "test"))
"""
START_SCANS = """
from clinicshield.accounts.models import Organisation
from clinicshield.exposure.actions import do_start_scan
org = Organisation.objects.get(slug="chain")
for cidr in {cidrs!r}:
    print("scan=%d" % do_start_scan(org, [cidr], "22,3389,5900", "test")[0].pk)
"""
REPORT = """
import json
from clinicshield.exposure.models import Scan
from clinicshield.monitoring.models import Alert
scans = {
    s.pk: {"status": s.status, "runner": s.runner, "sensor": s.sensor,
           "open": sorted([f.address, f.port, f.change] for f in s.findings.all()),
           "changes": sorted([c.kind, c.port] for c in s.changes.all())}
    for s in Scan.objects.all()
}
alerts = sorted([a.kind, a.key] for a in Alert.objects.all())
print(json.dumps({"scans": scans, "alerts": alerts}))
"""


@pytest.fixture
def lab() -> Iterator[tuple[Lab, Host]]:
    need_root_netns()
    lab = Lab(lab_tag("site"), subnet=SUBNET)
    try:
        lab.open()
        host = lab.add_host(10)
        lab.wait_for_links()
        host.serve([{"kind": "banner", "port": 22, "text": "SSH-2.0-OpenSSH_9.2p1 Debian-2"}])
        yield lab, host
    finally:
        lab.close()


class CentralInLab:
    """`clinicshield serve` inside the lab's switch namespace (its own loopback), where the
    sensor can reach it; the test reads its database file from outside."""

    def __init__(self, data_dir: Path, namespace: str) -> None:
        self.data_dir, self.namespace, self.port = data_dir, namespace, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICSHIELD_")}
        env["CLINICSHIELD_DATA_DIR"] = str(self.data_dir)
        command = [sys.executable, "-m", "clinicshield.cli", "serve", "--port", str(self.port)]
        log = open(self.data_dir / "serve.log", "ab")  # noqa: SIM115 - the child keeps it
        self.process = subprocess.Popen(
            ["ip", "netns", "exec", self.namespace, *command],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self.answers, 120, "the central server to answer")

    def answers(self) -> bool:
        with inside(self.namespace):
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    return bool(json.loads(response.read())["database"] == "ok")
            except OSError:
                return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def scan_status(self, scan: int) -> str:
        with sqlite3.connect(self.data_dir / "clinicshield.sqlite3", timeout=10) as db:
            row = db.execute("SELECT status FROM exposure_scan WHERE id = ?", (scan,)).fetchone()
        return str(row[0]) if row else ""

    def start_scans(self, *cidrs: str) -> list[int]:
        done = clinicshield(self.data_dir, "shell", "-c", START_SCANS.format(cidrs=list(cidrs)))
        assert done.code == 0, done.err
        return [int(word[5:]) for word in done.out.split() if word.startswith("scan=")]

    def report(self) -> dict[str, Any]:
        done = clinicshield(self.data_dir, "shell", "-c", REPORT)
        assert done.code == 0, done.err
        return dict(json.loads(done.out.strip().splitlines()[-1]))


def start_sensor_in(namespace: str, home: Path, url: str, token: str) -> subprocess.Popen[str]:
    log = home / "auth.log"
    log.touch()  # the sensor needs something to follow; this site's logs are not the point
    command = [sys.executable, "-m", "clinicshield.cli", "sensor", "--server", url]
    options = ["--token-file", str(token_file(home, token)), "--spool", str(home / "spool")]
    options += ["--follow", str(log), "--name", "pc", "--heartbeat", "0.5"]
    return subprocess.Popen(
        ["ip", "netns", "exec", namespace, *command, *options],
        env=sensor_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_sites_sensor_runs_its_scans_and_the_server_stores_drift_and_alerts(
    lab: tuple[Lab, Host], tmp_path: Path
) -> None:
    network, host = lab
    central = CentralInLab(tmp_path / "central", network.switch)
    central.data_dir.mkdir()
    assert clinicshield(central.data_dir, "createorg", "--name", "C", "--slug", "chain").code == 0
    made = clinicshield(central.data_dir, "shell", "-c", SETUP)
    norte_token, _sur_token = [t for t in made.out.split() if t.startswith("cs_site_")]
    home = tmp_path / "norte"
    home.mkdir()
    central.start()
    sensor = None
    try:
        first, sur = central.start_scans("10.213.9.0/28", "10.213.10.0/28")
        sensor = start_sensor_in(network.switch, home, central.url, norte_token)
        wait_for(lambda: central.scan_status(first) == "done", 120, "the baseline scan")
        host.serve([{"kind": "plain", "port": 5900}])  # someone opens VNC in the clinic
        (second,) = central.start_scans("10.213.9.0/28")
        wait_for(lambda: central.scan_status(second) == "done", 120, "the second scan")
    finally:
        if sensor is not None:
            sensor.send_signal(signal.SIGTERM)
            out, err = sensor.communicate(timeout=60)
        central.stop()
    assert sensor.returncode == 0, err
    assert f"scan {first} of 10.213.9.0/28: 1 open port(s), sent" in out
    state = central.report()
    scans = {int(pk): value for pk, value in state["scans"].items()}
    assert scans[first] == {
        "status": "done",
        "runner": "sensor",
        "sensor": "pc",
        "open": [["10.213.9.10", 22, "new"]],
        "changes": [],
    }
    assert scans[second]["open"] == [["10.213.9.10", 22, "unchanged"], ["10.213.9.10", 5900, "new"]]
    assert scans[second]["changes"] == [["new_port", 5900]] and scans[second]["sensor"] == "pc"
    assert state["alerts"] == [["exposure.new_port", "10.213.9.10:5900/tcp"]]
    # Sur's sensor is not running: its scan waits for it; the central worker left it alone.
    assert scans[sur] == {**scans[sur], "status": "queued", "runner": "sensor", "sensor": ""}
