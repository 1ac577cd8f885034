"""`clinicshield sensor` as a real process against a live server on loopback."""

import signal
import socket
from pathlib import Path
from typing import Any

import pytest

from clinicshield.accounts.actions import do_create_site_token, do_revoke_site_token
from clinicshield.accounts.core.site_signing import SiteCredential
from clinicshield.accounts.models import Organisation, Site, SiteToken
from tests.conftest import free_port
from tests.sensor.processes import (
    auth_lines,
    run_sensor,
    start_sensor,
    stored,
    token_file,
    wait_for,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.real_clock(
        reason="the sensor waits with Event.wait(timeout), which never returns under libfaketime"
    ),
]


@pytest.fixture
def token(org_a: Organisation) -> str:
    return do_create_site_token(org_a.sites.get(), "pc1", "test")


def test_it_sends_a_growing_file_and_received_syslog_and_reports_its_health(
    live_server: Any, token: str, tmp_path: Path, data_dir: Path
) -> None:
    log = tmp_path / "auth.log"
    log.write_text(auth_lines(0, 200))
    port = free_port()
    process = start_sensor(
        tmp_path,
        live_server.url,
        token_file(tmp_path, token),
        *("--spool", str(tmp_path / "spool"), "--follow", str(log), "--name", "pc1"),
        *("--syslog-port", str(port), "--interval", "0.2", "--heartbeat", "1"),
    )
    try:
        wait_for(lambda: stored(data_dir, "clinic-a")[0] == 200, 60, "the first 200 lines")
        with open(log, "a") as handle:
            handle.write(auth_lines(200, 300))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.sendto(auth_lines(0, 1, web=7).encode(), ("127.0.0.1", port))
        with socket.create_connection(("127.0.0.1", port)) as tcp:  # newline framing
            tcp.sendall(auth_lines(1, 4, web=7).encode())
        wait_for(lambda: stored(data_dir, "clinic-a")[0] == 505, 60, "500 lines and 5 messages")
        wait_for(lambda: "pc1" in Site.objects.get().sensor_health, 30, "a health report")
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert stored(data_dir, "clinic-a") == (505, 505)
    assert "stopped; 505 line(s) sent" in out
    health = Site.objects.get().sensor_health["pc1"]
    assert health["sources"][0]["path"] == str(log) and health["paused"] is False


def test_a_revoked_token_stops_the_sensor_with_one_clear_line_and_exit_2(
    live_server: Any, token: str, tmp_path: Path
) -> None:
    key = SiteCredential.parse(token).key_id
    do_revoke_site_token(SiteToken.objects.get(key_id=key), "test")
    log = tmp_path / "auth.log"
    log.write_text(auth_lines(0, 10))
    spool = tmp_path / "spool"
    result = run_sensor(
        tmp_path, live_server.url, token_file(tmp_path, token), "--spool", str(spool),
        "--follow", str(log), "--once",
    )  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "refuses this sensor's token" in lines[0] and "was revoked on" in lines[0]
    assert "1 batch(es) kept" in lines[0]
    assert len(list((spool / "batches").iterdir())) == 1  # kept for the next token


def test_a_full_spool_pauses_reading_and_nothing_is_lost_once_the_server_answers(
    live_server: Any, token: str, tmp_path: Path, data_dir: Path
) -> None:
    log = tmp_path / "auth.log"
    log.write_text(auth_lines(0, 20000))  # about 1.7 MB
    spool = tmp_path / "spool"
    nobody = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    tokens = token_file(tmp_path, token)
    options = ["--spool", str(spool), "--follow", str(log), "--batch-kb", "64"]
    process = start_sensor(tmp_path, nobody, tokens, *options, "--spool-limit-mb", "0.02")
    try:
        wait_for(lambda: _spooled_bytes(spool) >= 0.02 * 1024 * 1024, 60, "a full spool")
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert "spool full" in out and "reading paused" in out
    assert "cannot send" in err and "retrying with backoff" in err
    held = _spooled_bytes(spool)
    assert held < 0.02 * 1024 * 1024 + 64 * 1024  # one batch past the limit at most
    spooled_lines = sum(int(e) - int(s) for _q, _k, s, e in _names(spool))
    assert 0 < spooled_lines < 20000  # the rest waited in the file
    result = run_sensor(tmp_path, live_server.url, tokens, *options, "--once")
    assert result.returncode == 0, result.stderr
    assert stored(data_dir, "clinic-a") == (20000, 20000)


def _names(spool: Path) -> list[list[str]]:
    return [p.name.split(".")[0].split("_") for p in (spool / "batches").glob("0*")]


def _spooled_bytes(spool: Path) -> int:
    batches = spool / "batches"
    return sum(p.stat().st_size for p in batches.glob("0*")) if batches.exists() else 0


def test_bad_usage_is_refused_with_a_reason(live_server: Any, token: str, tmp_path: Path) -> None:
    tokens = token_file(tmp_path, token)
    spool = ["--spool", str(tmp_path / "spool")]
    nothing = run_sensor(tmp_path, live_server.url, tokens, *spool)
    assert nothing.returncode == 2 and "there is nothing to read" in nothing.stderr
    garbage = token_file(tmp_path, "cs_abc", "bad.token")
    wrong = run_sensor(tmp_path, live_server.url, garbage, *spool, "--follow", "x.log")
    assert wrong.returncode == 2 and "not a site token" in wrong.stderr
    far = run_sensor(tmp_path, "http://sensor.example", tokens, *spool, "--follow", "x.log")
    assert far.returncode == 2 and "use https" in far.stderr
    no_port = run_sensor(tmp_path, live_server.url, tokens, *spool, "--syslog-port", "70000")
    assert no_port.returncode == 2 and "is not a port number" in no_port.stderr
    not_ours = ("--syslog-port", "5514", "--syslog-bind", "192.0.2.1")
    deaf = run_sensor(tmp_path, live_server.url, tokens, *spool, *not_ours)
    assert deaf.returncode == 2 and "cannot receive syslog on 192.0.2.1:5514" in deaf.stderr
    assert "Traceback" not in deaf.stderr
    no_spool = ["--spool", str(tmp_path / "missing" / "spool"), "--follow", "x.log"]
    (tmp_path / "missing").write_text("a file, not a directory")
    lost = run_sensor(tmp_path, live_server.url, tokens, *no_spool)
    assert lost.returncode == 2 and "--spool" in lost.stderr and "Traceback" not in lost.stderr


def test_the_sensor_runs_its_zones_probes_on_the_servers_schedule(
    live_server: Any, token: str, tmp_path: Path, org_a: Organisation, settings: Any
) -> None:
    from clinicshield.exposure.actions import do_add_network, do_save_policy
    from clinicshield.exposure.models import ProbeRun

    settings.SENSOR_PROBE_MINUTES = 1
    with socket.socket() as listener:
        listener.bind(("127.77.5.10", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        do_add_network(org_a, "Madrid", "servers", "127.77.5.0/24", "test")
        policy = (
            "zones:\n  here: [127.0.0.0/24]\n  vault: [127.77.5.10/32]\n"
            f'controls:\n  here: ["127.77.5.10:{port}"]\ntargets:\n  vault: [127.77.5.10]\n'
            f"rules:\n  - {{from: here, to: vault, action: block, ports: [{port}]}}\n"
        )
        do_save_policy(org_a, policy, "test")
        log = tmp_path / "auth.log"
        log.write_text(auth_lines(0, 1))
        process = start_sensor(
            tmp_path, live_server.url, token_file(tmp_path, token),
            "--spool", str(tmp_path / "spool"), "--follow", str(log),
            "--probe-zone", "here", "--probe-timeout", "0.5", "--heartbeat", "1",
        )  # fmt: skip
        try:
            wait_for(lambda: ProbeRun.objects.exists(), 60, "a probe run")
        finally:
            process.send_signal(signal.SIGTERM)
            out, _err = process.communicate(timeout=60)
    run = ProbeRun.objects.get()
    assert run.zone == "here" and run.verdicts[0]["verdict"] == "violated"
    assert "probes from zone here: {'violated': 1}" in out
    assert ProbeRun.objects.count() == 1  # once a minute, not at every heartbeat
