"""A sender killed in the middle of a campaign, then resumed: everyone gets the drill once."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from .smtp_servers import SlowMailStore, start

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 300


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clinicshield.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SETUP = """
from clinicshield.accounts.actions import do_create_organisation, do_create_site
from clinicshield.accounts.models import Person
from clinicshield.simulations import actions
org = do_create_organisation("Clínica", "c", "Europe/Madrid", "test")
site = do_create_site(org, "Madrid", "test")
Person.objects.bulk_create([
    Person(organisation=org, site=site, name=f"Person {{i}}", email=f"p{{i}}@clinic.example",
           department="nurse", language="es")
    for i in range({people})
])
campaign = actions.do_create_campaign(
    org, name="Crash drill", template_key="payslip", targets="all", smtp_host="127.0.0.1",
    smtp_port={port}, from_address="nominas@sim.example", connections=2,
    base_url="http://127.0.0.1:9", actor="test",
)
print(campaign.pk)
"""


def test_a_crash_mid_campaign_sends_nobody_twice_and_nobody_never(tmp_path):
    data_dir = tmp_path / "var"
    env = {
        **os.environ,
        "CLINICSHIELD_DATA_DIR": str(data_dir),
        "CLINICSHIELD_SIMULATIONS_SEND_LEASE_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("CLINICSHIELD_DATABASE_URL", None)  # this test owns its SQLite file
    store = SlowMailStore(delay_s=0.01)
    controller, port = start(store)
    try:
        created = cli(env, "shell", "-c", SETUP.format(people=PEOPLE, port=port))
        assert created.returncode == 0, created.stderr
        campaign_id = created.stdout.strip().splitlines()[-1]
        sender = subprocess.Popen(
            [sys.executable, "-m", "clinicshield.cli", "campaign", "launch", campaign_id, "--now"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while store.count() < PEOPLE // 3 and time.monotonic() < deadline:
            if sender.poll() is not None:  # it must not finish, nor fail, before the kill
                raise AssertionError(sender.stderr.read().decode()[-2000:])
            time.sleep(0.005)
        sender.send_signal(signal.SIGKILL)  # mid-way, while a 250 is probably still pending
        sender.wait(timeout=10)
        received_before_crash = store.count()
        assert 0 < received_before_crash < PEOPLE
        time.sleep(1.2)  # the dead sender's lease runs out
        resumed = cli(env, "campaign", "launch", campaign_id, "--now")
        assert resumed.returncode == 0, resumed.stderr
    finally:
        controller.stop()

    ids_by_recipient: dict[str, set[str]] = defaultdict(set)
    copies_by_recipient: dict[str, int] = defaultdict(int)
    for message in store.messages:
        ids_by_recipient[message["To"]].add(message["Message-ID"])
        copies_by_recipient[message["To"]] += 1
    # Nobody never: every person got the drill.
    assert len(ids_by_recipient) == PEOPLE
    # Nobody twice: each mailbox holds one message. A message whose 250 died with the
    # sender went out again with the same Message-ID, which mail stores collapse.
    assert all(len(ids) == 1 for ids in ids_by_recipient.values())
    repeated = [to for to, n in copies_by_recipient.items() if n > 1]
    assert len(repeated) <= 2, repeated  # at most the one in flight on each connection
    with sqlite3.connect(data_dir / "clinicshield.sqlite3") as db:
        states = db.execute(
            "SELECT send_state, count(*) FROM simulations_recipient WHERE campaign_id = ? "
            "GROUP BY send_state",
            (int(campaign_id),),
        ).fetchall()
    assert states == [("sent", PEOPLE)]
