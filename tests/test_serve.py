"""What `make run` starts: the web server and the worker together, stopped together by Ctrl-C."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.cli import clinicshield
from tests.conftest import free_port


def get_json(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return dict(json.loads(response.read()))


def test_serve_starts_web_and_worker_and_stops_both_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICSHIELD_")}
    env["CLINICSHIELD_DATA_DIR"] = str(tmp_path)
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
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, output
    assert "stopped" in output
    leftovers = subprocess.run(["pgrep", "-s", str(process.pid)], capture_output=True, text=True)
    assert leftovers.stdout.strip() == "", "a child of serve outlived it"


def test_every_cli_verb_migrates_a_new_data_dir_by_itself(tmp_path: Path) -> None:
    result = clinicshield(tmp_path, "createorg", "--name", "Sol", "--slug", "sol")
    assert result.code == 0, result.err
    assert (tmp_path / "clinicshield.sqlite3").exists()
