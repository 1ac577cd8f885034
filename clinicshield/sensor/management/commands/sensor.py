"""`clinicshield sensor --server URL --token-file F --spool DIR --follow PATH[,PATH]
[--syslog-port P]`: a site's sensor. It needs no database: only its spool directory."""

import importlib.metadata
import os
import signal
import socket
import stat
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicshield.accounts.core.site_signing import BadToken, SiteCredential
from clinicshield.exposure.core.sensor_client import SensorError
from clinicshield.lib.cli import port_number, refuse
from clinicshield.monitoring.core.sensor_batch import ENCODINGS, LINE_FORMATS
from clinicshield.sensor.core.client import CentralServer
from clinicshield.sensor.core.runner import CannotListen, Sensor, SensorConfig
from clinicshield.sensor.core.spool import Spool
from clinicshield.sensor.core.status import Status


class Command(BaseCommand):
    help = (
        "Run a site sensor: follow log files and receive syslog into an on-disk spool, "
        "send the spool to the central server (signed with the site token, retried until "
        "acknowledged), report health and run the probes the server schedules. Stops on "
        "SIGTERM or Ctrl-C; exit 2 when the server refuses the token."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--server", required=True, help="the central server's URL")
        parser.add_argument(
            "--token-file", required=True, help="file holding the site token (cs_site_...)"
        )
        parser.add_argument("--spool", required=True, help="the sensor's own directory")
        parser.add_argument(
            "--follow",
            action="append",
            default=[],
            metavar="[FORMAT:]PATH[,...]",
            help=f"log files to follow (formats: {', '.join(LINE_FORMATS)}; default: recognised)",
        )
        parser.add_argument(
            "--syslog-port", type=port_number, help="receive syslog on this UDP/TCP port"
        )
        parser.add_argument("--syslog-bind", default="127.0.0.1", help="address to receive on")
        parser.add_argument("--name", default="", help="this sensor's name (default: host name)")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between looks")
        parser.add_argument(
            "--batch-kb", type=int, default=4096, help="batch size before compression"
        )
        parser.add_argument(
            "--spool-limit-mb", type=float, default=1024, help="stop reading past this (MiB)"
        )
        parser.add_argument(
            "--heartbeat", type=float, default=60.0, help="seconds between health reports"
        )
        parser.add_argument(
            "--probe-zone", action="append", default=[], help="policy zone this sensor sits in"
        )
        parser.add_argument("--probe-timeout", type=float, default=1.5)
        parser.add_argument("--encoding", choices=ENCODINGS, default="zstd")
        parser.add_argument(
            "--once", action="store_true", help="send what the files hold now, then stop"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config = self._config(options)
        credential = _read_token(Path(options["token_file"]), self.stderr)
        try:
            server = CentralServer(options["server"], credential)
        except SensorError as error:
            raise refuse(str(error)) from None
        try:
            spool = Spool(Path(options["spool"]), int(options["spool_limit_mb"] * 1024 * 1024))
        except OSError as error:
            raise refuse(f"--spool {options['spool']}: {error.strerror or error}") from None
        status = Status(self.stdout, self.stderr)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: status.stop.set())
        sensor = Sensor(config, server, spool, status)
        status.say(_started(config, server.url, spool))
        for path, _fmt in config.follows:
            if not path.is_file() or path.stat().st_size == 0:
                status.complain(f"{path}: no data yet; it will be read when it has some")
        try:
            code = sensor.run()
        except CannotListen as error:
            raise refuse(str(error)) from None
        if code:
            sys.exit(code)

    def _config(self, options: dict[str, Any]) -> SensorConfig:
        found = [_follow(item) for value in options["follow"] for item in value.split(",")]
        follows = [f for f in found if f is not None]
        syslog = (
            (options["syslog_bind"], options["syslog_port"]) if options["syslog_port"] else None
        )
        if not follows and not syslog:
            raise refuse("give --follow PATH and/or --syslog-port PORT: there is nothing to read")
        if options["once"] and syslog:
            raise refuse("--once reads files to their end; it cannot be used with --syslog-port")
        for number, name in (
            (options["interval"], "--interval"),
            (options["heartbeat"], "--heartbeat"),
        ):
            if number <= 0:
                raise refuse(f"{name} must be above 0")
        if options["batch_kb"] <= 0 or options["spool_limit_mb"] <= 0:
            raise refuse("--batch-kb and --spool-limit-mb must be above 0")
        return SensorConfig(
            name=_sensor_name(options["name"]),
            version=_version(),
            follows=follows,
            syslog=syslog,
            interval=options["interval"],
            batch_bytes=options["batch_kb"] * 1024,
            encoding=options["encoding"],
            heartbeat=options["heartbeat"],
            zones=options["probe_zone"],
            probe_timeout=options["probe_timeout"],
            once=options["once"],
        )


def _follow(item: str) -> tuple[Path, str] | None:
    item = item.strip()
    if not item:
        return None
    fmt, colon, path = item.partition(":")
    if not colon or fmt not in LINE_FORMATS:
        if colon and not fmt.startswith(("/", ".", "~")) and "/" not in fmt:
            raise refuse(f"--follow {item}: {fmt!r} is not one of {', '.join(LINE_FORMATS)}")
        return Path(item).expanduser(), "auto"
    return Path(path).expanduser(), fmt


def _read_token(path: Path, err: Any) -> SiteCredential:
    try:
        text = path.read_text()
        mode = path.stat().st_mode
    except OSError as error:
        raise refuse(f"--token-file {path}: {error.strerror or error}") from None
    try:
        credential = SiteCredential.parse(text)
    except BadToken as error:
        raise refuse(f"--token-file {path}: {error}") from None
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        err.write(f"warning: {path} can be read by other users; chmod 600 it\n")
    return credential


def _sensor_name(given: str) -> str:
    name = given or socket.gethostname().split(".")[0]
    cleaned = "".join(c if c.isalnum() or c in "._@:-" else "-" for c in name).lstrip("._@:-")
    if not cleaned:
        raise refuse(f"--name {given!r}: use letters, digits and . _ @ : -")
    return cleaned[:64]


def _version() -> str:
    try:
        return importlib.metadata.version("clinicshield")
    except importlib.metadata.PackageNotFoundError:
        return "dev"


def _started(config: SensorConfig, url: str, spool: Spool) -> str:
    reading = [f"{path} ({fmt})" for path, fmt in config.follows]
    if config.syslog:
        reading.append(f"syslog on {config.syslog[0]}:{config.syslog[1]}")
    return (
        f"sensor {config.name} (pid {os.getpid()}) sending to {url}: reading "
        f"{', '.join(reading)}; spool {spool.root} ({spool.count} batch(es) waiting)"
    )
