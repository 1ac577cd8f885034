"""A sender killed in the middle of a campaign, then resumed: everyone gets the drill once."""

import json
import os
import signal
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


def test_a_crash_mid_campaign_sends_nobody_twice_and_nobody_never(tmp_path):
    env = {
        **os.environ,
        "CLINICSHIELD_DATA_DIR": str(tmp_path / "var"),
        "CLINICSHIELD_SIMULATIONS_SEND_LEASE_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
    }
    roster = tmp_path / "staff.csv"
    roster.write_text(
        "name,email,department,site,language\n"
        + "".join(f"Person {i},p{i}@clinic.example,nurse,Madrid,es\n" for i in range(PEOPLE))
    )
    assert cli(env, "createorg", "--name", "Clínica", "--slug", "c").returncode == 0
    assert cli(env, "import-staff", str(roster), "--org", "c").returncode == 0
    store = SlowMailStore(delay_s=0.01)
    controller, port = start(store)
    try:
        created = cli(
            env,
            "campaign",
            "create",
            "--org",
            "c",
            "--name",
            "Crash drill",
            "--template",
            "payslip",
            "--targets",
            "all",
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            str(port),
            "--from",
            "nominas@sim.example",
            "--base-url",
            "http://127.0.0.1:9",
            "--connections",
            "2",
        )
        assert created.returncode == 0, created.stderr
        campaign_id = created.stdout.strip()
        sender = subprocess.Popen(
            [sys.executable, "-m", "clinicshield.cli", "campaign", "launch", campaign_id, "--now"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while store.count() < PEOPLE // 3 and time.monotonic() < deadline:
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
    results = json.loads(cli(env, "campaign", "results", campaign_id, "--format", "json").stdout)
    assert results["totals"]["funnel"]["sent"] == PEOPLE
    assert {r["send_state"] for r in results["recipients"]} == {"sent"}
