"""Tracking hits against the real server `make run` starts (gunicorn and the Huey worker)."""

import http.client
import os
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.cli import clinicshield
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"

SETUP = """
from datetime import timedelta
from django.utils import timezone
from clinicshield.accounts.actions import do_create_organisation, do_create_site
from clinicshield.accounts.models import Person
from clinicshield.simulations import actions
from clinicshield.simulations.models import Recipient
org = do_create_organisation("Clínica", "c", "Europe/Madrid", "test")
site = do_create_site(org, "Madrid", "test")
Person.objects.bulk_create([
    Person(organisation=org, site=site, name=f"P {i}", email=f"p{i}@clinic.example",
           department="nurse", language="es")
    for i in range(150)
])
campaign = actions.do_create_campaign(org, name="Burst", template_key="payslip", targets="all",
                                      smtp_host="127.0.0.1", smtp_port=9, from_address="a@b.c",
                                      base_url="http://127.0.0.1:9", actor="t")
Recipient.objects.filter(campaign=campaign).update(
    send_state="sent", status="sent", sent_at=timezone.now() - timedelta(hours=1))
for token in campaign.recipients.order_by("pk").values_list("token", flat=True):
    print(token)
"""


def hit(port: int, tokens: list[str]) -> list[int]:
    """One keep-alive client: an open and a verified click per token."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    statuses = []
    for token in tokens:
        for method, path in (("GET", f"/t/{token}/px.gif"), ("POST", f"/t/{token}/h?h=1")):
            client.request(method, path, headers={"User-Agent": BROWSER})
            response = client.getresponse()
            response.read()
            statuses.append(response.status)
    client.close()
    return statuses


def burst(port: int, tokens: list[str]) -> list[int]:
    slices = [tokens[n::10] for n in range(10)]
    with ThreadPoolExecutor(10) as pool:
        return [status for part in pool.map(lambda s: hit(port, s), slices) for status in part]


def events(database: Path) -> tuple[int, int, int]:
    with sqlite3.connect(database, timeout=30) as db:
        stored, distinct = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT recipient_id || event) FROM simulations_trackingevent"
        ).fetchone()
        clicked = db.execute(
            "SELECT COUNT(*) FROM simulations_recipient WHERE status = 'clicked'"
        ).fetchone()[0]
    return stored, distinct, clicked


def serve(data_dir: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICSHIELD_")}
    env["CLINICSHIELD_DATA_DIR"] = str(data_dir)
    return subprocess.Popen(
        [sys.executable, "-m", "clinicshield.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_until_up(port: int, process: subprocess.Popen[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "serve stopped"
        try:
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            client.request("GET", "/healthz")
            if b'"worker": "ok"' in client.getresponse().read():
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("serve did not come up")


# serve runs gunicorn, whose master compares a file's mtime with the monotonic clock: under
# libfaketime (0.9.10) every worker looks 400 days silent and is killed as it starts. The data's
# times are relative to the clock, so nothing here depends on the date.
@pytest.mark.real_clock(reason="gunicorn's worker heartbeat under libfaketime")
def test_the_worker_folds_what_the_server_answered_and_a_clean_stop_keeps_the_rest(tmp_path):
    data_dir = tmp_path / "var"
    created = clinicshield(data_dir, "shell", "-c", SETUP, timeout=120)
    assert created.code == 0, created.err
    tokens = [word for word in created.out.split() if len(word) == 32]
    assert len(tokens) == 150
    database = data_dir / "clinicshield.sqlite3"
    port = free_port()
    process = serve(data_dir, port)
    try:
        wait_until_up(port, process)
        assert set(burst(port, tokens[:100])) == {200, 204}
        # Nobody folds here: the hits asked the worker, which folds on its own.
        deadline = time.monotonic() + 60
        while events(database)[0] < 200 and time.monotonic() < deadline:
            time.sleep(0.25)
        assert events(database) == (200, 200, 100)
        # Hits answered just before a clean stop (Ctrl-C) are kept for the next fold.
        assert set(burst(port, tokens[100:])) == {200, 204}
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, output
    folded = clinicshield(data_dir, "run-due", "--only", "simulations.fold_hits", timeout=120)
    assert folded.code == 0, folded.err
    assert events(database) == (300, 300, 150)
    assert list((data_dir / "simulations" / "hits").iterdir()) == []
    # The access log keeps its other lines, not one per hit (the hit log has them).
    assert "GET /healthz" in output and "/px.gif" not in output
