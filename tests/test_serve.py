"""What `make run` starts: the web server and the worker together, stopped together by Ctrl-C."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from clinicshield.accounts.management.commands.serve import followed_files
from tests.cli import clinicshield
from tests.conftest import free_port


def get_json(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return dict(json.loads(response.read()))


def test_serve_starts_web_worker_and_log_follower_and_stops_all_on_ctrl_c(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICSHIELD_")}
    env["CLINICSHIELD_DATA_DIR"] = str(tmp_path)
    assert clinicshield(tmp_path, "createorg", "--name", "Sol", "--slug", "sol").code == 0
    log = tmp_path / "auth.log"
    log.write_text(
        "Mar  3 08:16:10 web1 sshd[1]: Failed password for root from 203.0.113.5 port 1 ssh2\n"
    )
    env["CLINICSHIELD_MONITORING_FOLLOW"] = f"sol:{log}"
    process = subprocess.Popen(
        [sys.executable, "-m", "clinicshield.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        health: dict[str, str] = {}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                health = get_json(f"http://127.0.0.1:{port}/healthz")
                if health.get("worker") == "ok":
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert health.get("status") == "ok" and health.get("worker") == "ok", health
        stored = tmp_path / "events" / "org=sol" / "kind=auth"
        while time.monotonic() < deadline and not any(stored.rglob("*.parquet")):
            time.sleep(0.5)
        assert any(stored.rglob("*.parquet")), "the log follower stored nothing"
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, output
    assert "stopped" in output and "follow-sol" in output
    leftovers = subprocess.run(["pgrep", "-s", str(process.pid)], capture_output=True, text=True)
    assert leftovers.stdout.strip() == "", "a child of serve outlived it"


def test_every_cli_verb_migrates_a_new_data_dir_by_itself(tmp_path: Path) -> None:
    result = clinicshield(tmp_path, "createorg", "--name", "Sol", "--slug", "sol")
    assert result.code == 0, result.err
    assert (tmp_path / "clinicshield.sqlite3").exists()


def test_followed_files_are_grouped_by_organisation_and_a_bad_pair_is_named() -> None:
    assert followed_files(["sol:/var/log/auth.log", "luna:/x.log", "sol: /var/log/secure"]) == {
        "sol": ["/var/log/auth.log", "/var/log/secure"],
        "luna": ["/x.log"],
    }
    with pytest.raises(CommandError, match="'/var/log/auth.log' is not ORG:PATH"):
        followed_files(["/var/log/auth.log"])
