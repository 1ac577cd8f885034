"""The live syslog receiver: a real sender on 127.0.0.1, over UDP and TCP."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from clinicshield.monitoring.core.syslog_framing import StreamFramer
from tests.cli import clinicshield
from tests.monitoring.ingest.helpers import stored

FAILED = (
    "<38>1 2026-03-03T08:16:{s:02d}Z web1 sshd {s} - - "
    "Failed password for root from 203.0.113.5 port {s} ssh2"
)


def test_the_framer_reads_octet_counting_and_newlines_split_anywhere() -> None:
    one, two = "<34>1 2026-03-03T08:00:00Z h app - - - first", "<34>Mar  3 08:00:01 h app: second"
    stream = f"{len(one.encode())} {one}{two}\n".encode()
    framer = StreamFramer()
    received = []
    for i in range(0, len(stream), 7):  # as a slow network delivers it
        received += framer.feed(stream[i : i + 7])
    assert received == [one, two]
    assert framer.feed(b"third without newline") == []
    assert framer.close() == ["third without newline"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_receiver(tmp_path: Path) -> tuple[Path, int, subprocess.Popen[str]]:
    data_dir = tmp_path / "data"
    assert clinicshield(data_dir, "createorg", "--name", "A", "--slug", "clinic-a").code == 0
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICSHIELD_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["CLINICSHIELD_DATA_DIR"] = str(data_dir)
    command = ["syslog", "--org", "clinic-a", "--port", str(port), "--timezone", "UTC"]
    receiver = subprocess.Popen(
        [sys.executable, "-m", "clinicshield.cli", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert receiver.stdout is not None
    assert "listening" in receiver.stdout.readline()
    return data_dir, port, receiver


def test_it_stores_sign_ins_sent_over_udp_and_tcp(tmp_path: Path) -> None:
    data_dir, port, receiver = _start_receiver(tmp_path)
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            for s in range(3):
                udp.sendto(FAILED.format(s=s).encode(), ("127.0.0.1", port))
        with socket.create_connection(("127.0.0.1", port)) as tcp:
            for s in range(3, 6):  # octet counting
                message = FAILED.format(s=s).encode()
                tcp.sendall(str(len(message)).encode() + b" " + message)
            tcp.sendall(
                b"<38>Mar  3 08:16:06 web2 sshd[6]: Accepted password for ana from "
                b"83.44.10.20 port 6 ssh2\n"
            )  # newline framing, RFC 3164
        time.sleep(1.5)
    finally:
        receiver.send_signal(signal.SIGTERM)
        out, err = receiver.communicate(timeout=30)
    assert receiver.returncode == 0, err
    assert "7 messages stored" in out
    rows = stored(data_dir, "auth", order="src_port")
    assert [r["src_port"] for r in rows] == [0, 1, 2, 3, 4, 5, 6]
    assert rows[-1]["outcome"] == "success" and rows[-1]["host"] == "web2"
    assert rows[-1]["source"] == "syslog-receiver"
    assert {r["record_ref"].split()[0] for r in rows} == {"message"}


def test_a_connection_still_open_at_the_stop_keeps_its_last_line(tmp_path: Path) -> None:
    data_dir, port, receiver = _start_receiver(tmp_path)
    with socket.create_connection(("127.0.0.1", port)) as tcp:
        tcp.sendall(FAILED.format(s=7).encode())  # no newline: the sender has not ended it
        time.sleep(0.5)
        receiver.send_signal(signal.SIGTERM)
        out, err = receiver.communicate(timeout=30)
    assert receiver.returncode == 0 and "Traceback" not in err, err
    assert "1 messages stored" in out
    assert [r["src_port"] for r in stored(data_dir, "auth", order="src_port")] == [7]


def test_the_receiver_refuses_an_unusable_mmdb_before_listening(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert clinicshield(data_dir, "createorg", "--name", "X", "--slug", "x").code == 0
    missing = tmp_path / "nonexistent.mmdb"
    result = clinicshield(
        data_dir,
        "syslog",
        "--org",
        "x",
        "--port",
        "1",  # never reached: the setting is refused first
        env={"CLINICSHIELD_GEOIP_MMDB": str(missing)},
    )
    assert result.code == 2 and "Traceback" not in result.err
    assert f"CLINICSHIELD_GEOIP_MMDB names {missing}" in result.err
