"""Folds in real processes on a real SQLite file: one killed midway, two at once after it."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HITS = 20_000

SETUP = """
from datetime import timedelta
from django.utils import timezone
from clinicshield.accounts.actions import do_create_organisation, do_create_site
from clinicshield.accounts.models import Person
from clinicshield.simulations import actions
from clinicshield.simulations.core.hits import Hit
from clinicshield.simulations.hitlog import append_hit
from clinicshield.simulations.models import Recipient
org = do_create_organisation("Clínica", "c", "Europe/Madrid", "test")
site = do_create_site(org, "Madrid", "test")
Person.objects.bulk_create([
    Person(organisation=org, site=site, name=f"P {{i}}", email=f"p{{i}}@clinic.example",
           department="nurse", language="es")
    for i in range(300)
])
campaign = actions.do_create_campaign(org, name="Burst", template_key="payslip", targets="all",
                                      smtp_host="127.0.0.1", smtp_port=9, from_address="a@b.c",
                                      base_url="http://127.0.0.1:9", actor="t")
start = timezone.now() - timedelta(minutes=30)
Recipient.objects.filter(campaign=campaign).update(
    send_state="sent", status="sent", sent_at=start - timedelta(hours=1))
tokens = list(campaign.recipients.values_list("token", flat=True))
agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0"
for n in range({hits}):  # distinct times: a hit stored twice would show as a repeated time
    event = ("opened", "clicked")[(n // 300) % 2]
    append_hit(Hit(tokens[n % 300], event, start + timedelta(microseconds=n), "POST", agent,
                   "10.0.0.1", True))
"""


def fold_process(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "clinicshield.cli", "run-due", "--only"]
    return subprocess.Popen(
        [*command, "simulations.fold_hits"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def folded_so_far(database: Path) -> int:
    try:
        with sqlite3.connect(database, timeout=30) as db:
            row = db.execute("SELECT COALESCE(SUM(folded), 0) FROM simulations_hitlogcheckpoint")
            return int(row.fetchone()[0])
    except sqlite3.OperationalError:  # the fold has not created the table's first row yet
        return 0


def test_a_fold_killed_midway_and_two_folds_after_it_store_every_hit_once(tmp_path):
    data_dir = tmp_path / "var"
    env = {**os.environ, "CLINICSHIELD_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    env.pop("CLINICSHIELD_DATABASE_URL", None)  # this test owns its SQLite file
    setup = subprocess.run(
        [sys.executable, "-m", "clinicshield.cli", "shell", "-c", SETUP.format(hits=HITS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert setup.returncode == 0, setup.stderr[-3000:]
    database = data_dir / "clinicshield.sqlite3"
    assert len(list((data_dir / "simulations" / "hits").iterdir())) == 1

    first = fold_process(env)
    deadline = time.monotonic() + 120
    while folded_so_far(database) == 0 and time.monotonic() < deadline:
        assert first.poll() is None, first.stderr.read().decode()[-3000:]
        time.sleep(0.005)
    first.send_signal(signal.SIGKILL)  # between two batches, or inside one
    first.wait(timeout=10)
    midway = folded_so_far(database)
    assert 0 < midway < HITS, "the kill came too late to test anything"

    after = [fold_process(env), fold_process(env)]
    for process in after:
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()[-3000:]

    with sqlite3.connect(database) as db:
        count, distinct = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT at) FROM simulations_trackingevent"
        ).fetchone()
        statuses = dict(
            db.execute("SELECT status, COUNT(*) FROM simulations_recipient GROUP BY status")
        )
        checkpoints = db.execute("SELECT COUNT(*) FROM simulations_hitlogcheckpoint").fetchone()
    assert (count, distinct) == (HITS, HITS)
    assert statuses == {"clicked": 300}
    assert list((data_dir / "simulations" / "hits").iterdir()) == []  # finished and deleted
    assert checkpoints == (0,)
