"""What `make run` starts: the web server and the worker together, stopped together by Ctrl-C."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.core.management.base import CommandError

from clinicshield.project.management.commands.serve import followed_files, syslog_organisation
from tests.cli import clinicshield
from tests.conftest import free_port


def get_json(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return dict(json.loads(response.read()))


# gunicorn's master judges a worker alive by comparing a file's mtime with the monotonic clock.
# Under libfaketime (0.9.10) the monotonic clock reads like the moved wall clock while the kernel
# stamps a new file with the real time, so each worker looks 400 days silent and is killed as it
# starts. Nothing this test checks depends on the date.
@pytest.mark.real_clock(reason="gunicorn's worker heartbeat under libfaketime")
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


def free_udp_and_tcp_port() -> int:
    """A high loopback port free for both UDP and TCP (the receiver listens on both)."""
    for _attempt in range(50):
        port = free_port()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            try:
                udp.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no port free for both UDP and TCP on 127.0.0.1")


def serve_env(data_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICSHIELD_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["CLINICSHIELD_DATA_DIR"] = str(data_dir)
    env.update({f"CLINICSHIELD_{name}": value for name, value in settings.items()})
    return env


class Lines:
    """serve's output read as it comes, so a test can wait for a line."""

    def __init__(self, stream: Any) -> None:
        self.lines: list[str] = []
        self.ended = False
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.ended = True
            self.changed.notify_all()

    def wait_for(self, text: str, timeout: float) -> bool:
        """True once a line holds ``text``; False at the timeout or when serve has ended."""
        with self.changed:
            self.changed.wait_for(lambda: self.ended or self._seen(text), timeout)
            return self._seen(text)

    def _seen(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def text(self) -> str:
        self.thread.join(timeout=30)
        return "".join(self.lines)


def test_serve_with_the_syslog_receiver_stores_a_udp_message_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    for name, slug in (("Sol", "sol"), ("Luna", "luna")):
        assert clinicshield(tmp_path, "createorg", "--name", name, "--slug", slug).code == 0
    syslog_port = free_udp_and_tcp_port()
    env = serve_env(
        tmp_path,
        SYSLOG_ENABLED="1",
        SYSLOG_PORT=str(syslog_port),
        SYSLOG_BIND="127.0.0.1",
        SYSLOG_ORG="luna",
    )
    web = ["--host", "127.0.0.1", "--port", str(free_port())]
    process = subprocess.Popen(
        [sys.executable, "-m", "clinicshield.cli", "serve", *web],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output = Lines(process.stdout)
        listening = f"listening on udp and tcp 127.0.0.1:{syslog_port}"
        assert output.wait_for(listening, timeout=90), output.lines
        message = (
            "<38>1 2026-03-03T08:16:10Z web1 sshd 4242 - - "
            "Failed password for root from 203.0.113.5 port 51000 ssh2"
        )
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(message.encode(), ("127.0.0.1", syslog_port))
        stored = tmp_path / "events" / "org=luna" / "kind=auth"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(stored.rglob("*.parquet")):
            time.sleep(0.25)
        assert any(stored.rglob("*.parquet")), "the receiver stored nothing"
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        text = output.text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, text
    assert "syslog" in text and "stopped; 1 messages stored" in text, text
    sql = "SELECT user, src_ip, outcome FROM read_parquet($files)"
    rows = duckdb.connect().execute(sql, {"files": f"{stored}/**/*.parquet"}).fetchall()
    assert rows == [("root", "203.0.113.5", "failure")]
    # Nothing for the other organisation (its folder may exist: a detection pass that ran
    # meanwhile leaves its marker there).
    assert not any((tmp_path / "events" / "org=sol").rglob("*.parquet"))
    leftovers = subprocess.run(["pgrep", "-s", str(process.pid)], capture_output=True, text=True)
    assert leftovers.stdout.strip() == "", "a child of serve outlived it"


@pytest.mark.parametrize(
    ("org_setting", "refusal"),
    [
        ("", "set CLINICSHIELD_SYSLOG_ORG to its short name (one of luna, sol)"),
        ("mars", "CLINICSHIELD_SYSLOG_ORG: no organisation with short name 'mars'"),
    ],
)
def test_serve_refuses_a_receiver_that_does_not_know_its_organisation(
    tmp_path: Path, org_setting: str, refusal: str
) -> None:
    for name, slug in (("Sol", "sol"), ("Luna", "luna")):
        assert clinicshield(tmp_path, "createorg", "--name", name, "--slug", slug).code == 0
    env = {"CLINICSHIELD_SYSLOG_ENABLED": "1", "CLINICSHIELD_SYSLOG_ORG": org_setting}
    env["CLINICSHIELD_SYSLOG_PORT"] = str(free_udp_and_tcp_port())
    result = clinicshield(tmp_path, "serve", "--port", str(free_port()), env=env, timeout=60)
    assert result.code == 2, result.out + result.err
    assert refusal in result.err
    assert "running at" not in result.out  # refused before starting anything


def test_serve_refuses_a_geoip_file_it_cannot_open_before_starting_anything(
    tmp_path: Path,
) -> None:
    assert clinicshield(tmp_path, "createorg", "--name", "Sol", "--slug", "sol").code == 0
    env = {
        "CLINICSHIELD_SYSLOG_ENABLED": "1",
        "CLINICSHIELD_SYSLOG_PORT": str(free_udp_and_tcp_port()),
        "CLINICSHIELD_GEOIP_MMDB": str(tmp_path / "nonexistent.mmdb"),
    }
    result = clinicshield(tmp_path, "serve", "--port", str(free_port()), env=env, timeout=60)
    assert result.code == 2, result.out + result.err
    assert f"CLINICSHIELD_GEOIP_MMDB names {tmp_path / 'nonexistent.mmdb'}" in result.err
    assert "running at" not in result.out


@pytest.mark.django_db
def test_the_receiver_serves_the_only_organisation_when_none_is_named(
    org_a: Any, settings: Any
) -> None:
    settings.SYSLOG_ORG = ""
    assert syslog_organisation() == "clinic-a"
    settings.SYSLOG_ORG = "clinic-a"
    assert syslog_organisation() == "clinic-a"


@pytest.mark.django_db
def test_the_receiver_without_any_organisation_says_how_to_make_one(settings: Any) -> None:
    settings.SYSLOG_ORG = ""
    with pytest.raises(CommandError, match="create one \\(clinicshield createorg\\)"):
        syslog_organisation()
