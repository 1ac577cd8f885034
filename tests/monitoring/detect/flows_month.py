"""A seeded month of a small clinic's Zeek conn.log, for the exfiltration tests.

Everything comes from the seed and fixed dates, never from the real clock:

- eight workstations browse and use cloud services all day on weekdays, with telemetry
  and updates every day (PCs stay on at weekends); they download far more than they send;
- a backup server sends tens of GB to one outside address every night, in one of several
  shapes (``BACKUP_SHAPES``): the normal traffic exfiltration must learn and stay quiet on;
- a thief (a workstation) behaves for a fortnight, then sends tens of GB a day to one
  outside address: the daily check must find it;
- a slow leaker (another workstation) starts sending a few hundred MB a day to another
  outside address, never 1 GiB in a day: only the slow check can find it.

``write_conn_log`` writes the records as Zeek writes conn.log by default (TSV with its
``#fields`` header), so tests can read them through the real ingestion.
"""

import random
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

MiB, GiB = 1024**2, 1024**3
MONTH_START = datetime(2025, 3, 1, tzinfo=UTC)  # a Saturday
WORKSTATIONS = tuple(f"10.1.0.{n}" for n in range(11, 19))
THIEF, THIEF_DESTINATION = "10.1.0.14", "185.220.101.4"
SLOW_LEAKER, SLOW_DESTINATION = "10.1.0.17", "45.9.148.3"
BACKUP_SERVER = "10.1.0.5"
BACKUP_DESTINATIONS = ("52.95.145.10", "34.120.88.7")
DNS_SERVER = "10.1.0.2"
EHR = "3.248.51.10"
# Outside services workstations use (Microsoft 365, the EHR's cloud, CDNs, updates).
SERVICES = (
    "52.96.164.2",
    "52.97.1.130",
    "40.126.32.74",
    "13.107.42.14",
    "151.101.1.69",
    "104.16.132.229",
    "142.250.184.206",
    "23.55.46.10",
    "185.199.108.153",
    "20.190.159.2",
    "92.122.188.201",
    "3.248.51.10",
)
# How the backup server sends: the baselines the detector must learn.
BACKUP_SHAPES = (
    "nightly",  # 40-60 GB every night to one address
    "weekly_full",  # 15-25 GB incrementals, a 300-350 GB full backup on Sundays
    "two_targets",  # alternate nights to two providers
    "new_server",  # set up in the middle of the month, 40-60 GB a night from then on
)
FIELDS = (
    "ts",
    "uid",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "proto",
    "service",
    "duration",
    "orig_bytes",
    "resp_bytes",
    "conn_state",
    "local_orig",
    "local_resp",
    "missed_bytes",
    "history",
    "orig_pkts",
    "orig_ip_bytes",
    "resp_pkts",
    "resp_ip_bytes",
    "tunnel_parents",
)
TYPES = (
    "time",
    "string",
    "addr",
    "port",
    "addr",
    "port",
    "enum",
    "string",
    "interval",
    "count",
    "count",
    "string",
    "bool",
    "bool",
    "count",
    "string",
    "count",
    "count",
    "count",
    "count",
    "set[string]",
)


@dataclass
class ClinicMonth:
    start: datetime
    days: int
    backup_shape: str
    thief_from_day: int
    slow_from_day: int
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=self.days)

    def day(self, number: int) -> datetime:
        return self.start + timedelta(days=number)

    def sent(self, src: str, dst: str, day: int) -> int:
        """Bytes ``src`` sent ``dst`` on day ``day`` of the month (what a test expects)."""
        begin, end = self.day(day).timestamp(), self.day(day + 1).timestamp()
        return sum(
            r["orig_bytes"]
            for r in self.records
            if r["id.orig_h"] == src and r["id.resp_h"] == dst and begin <= r["ts"] < end
        )


class _Connections:
    """Makes Zeek conn records with plausible ports, packets and durations."""

    def __init__(self, rng: random.Random, month: ClinicMonth) -> None:
        self.rng = rng
        self.month = month

    def add(
        self,
        when: datetime,
        src: str,
        dst: str,
        sent: int,
        received: int,
        port: int = 443,
        proto: str = "tcp",
    ) -> None:
        rng = self.rng
        alphabet = string.ascii_letters + string.digits
        service = {443: "ssl", 53: "dns", 22: "ssh"}.get(port, "-")
        # A rate between 2 and 40 MB/s gives the duration of big transfers.
        duration = max(sent, received) / rng.uniform(2e6, 4e7) + rng.uniform(0.01, 2)
        out_packets, in_packets = sent // 1400 + 1, received // 1400 + 1
        self.month.records.append(
            {
                "ts": when.timestamp(),
                "uid": "C" + "".join(rng.choice(alphabet) for _ in range(17)),
                "id.orig_h": src,
                "id.orig_p": rng.randint(49152, 65535),
                "id.resp_h": dst,
                "id.resp_p": port,
                "proto": proto,
                "service": service,
                "duration": duration,
                "orig_bytes": sent,
                "resp_bytes": received,
                "conn_state": "SF",
                "local_orig": "T",
                "local_resp": "T" if dst.startswith("10.") else "F",
                "missed_bytes": 0,
                "history": "Dd" if proto == "udp" else "ShADadFf",
                "orig_pkts": out_packets,
                "orig_ip_bytes": sent + 40 * out_packets,
                "resp_pkts": in_packets,
                "resp_ip_bytes": received + 40 * in_packets,
                "tunnel_parents": None,
            }
        )

    def at(self, day: int, first_hour: float, last_hour: float) -> datetime:
        hours = self.rng.uniform(first_hour, last_hour)
        return self.month.day(day) + timedelta(hours=hours)

    def transfer(self, day: int, src: str, dst: str, total: int, hours: tuple[float, float]):
        """``total`` bytes in chunks of about 2 GiB (or one flow when smaller)."""
        chunks = max(1, round(total / (2 * GiB)))
        for _ in range(chunks):
            self.add(
                self.at(day, *hours), src, dst, total // chunks, self.rng.randint(5, 50) * 1000
            )


def clinic_month(
    seed: int,
    backup_shape: str = "nightly",
    *,
    start: datetime = MONTH_START,
    days: int = 30,
    thief_from_day: int = 15,
    slow_from_day: int = 16,
) -> ClinicMonth:
    """A month of flows; the thief and the slow leaker start on the days given (0-based)."""
    if backup_shape not in BACKUP_SHAPES:
        raise ValueError(f"unknown backup shape {backup_shape!r}: one of {BACKUP_SHAPES}")
    rng = random.Random(seed)
    month = ClinicMonth(start, days, backup_shape, thief_from_day, slow_from_day)
    flows = _Connections(rng, month)
    for day in range(days):
        for workstation in WORKSTATIONS:
            _workstation_day(flows, day, workstation)
        _backup_night(flows, day, backup_shape)
        if day >= thief_from_day:
            flows.transfer(day, THIEF, THIEF_DESTINATION, rng.randint(20, 40) * GiB, (0.5, 5))
        if day >= slow_from_day:
            leak = rng.randint(400, 800) * MiB
            flows.transfer(day, SLOW_LEAKER, SLOW_DESTINATION, leak, (12, 14))
    month.records.sort(key=lambda r: r["ts"])
    return month


def _workstation_day(flows: _Connections, day: int, workstation: str) -> None:
    rng = flows.rng
    weekday = flows.month.day(day).weekday() < 5
    # Telemetry and updates every day: small uploads, large downloads.
    for _ in range(rng.randint(4, 8)):
        when = flows.at(day, 0, 24)
        flows.add(when, workstation, rng.choice(SERVICES), rng.randint(2, 60) * 1000, 2 * MiB)
        flows.add(when, workstation, DNS_SERVER, 40, 120, port=53, proto="udp")
    if not weekday:
        return
    for _ in range(rng.randint(25, 45)):
        sent = int(rng.lognormvariate(11, 1.5))  # a median of ~60 kB, a few MB at times
        received = int(rng.lognormvariate(13, 2))
        flows.add(flows.at(day, 7.5, 19), workstation, rng.choice(SERVICES), sent, received)
    # Scans and letters uploaded to the EHR's cloud: the bulk of what a workstation sends.
    for _ in range(rng.randint(3, 10)):
        flows.add(flows.at(day, 8, 18), workstation, EHR, rng.randint(2, 30) * MiB, 20_000)
    # An update or a large mailbox sync now and then: big downloads, not exfiltration.
    if rng.random() < 0.2:
        flows.add(flows.at(day, 8, 18), workstation, "23.55.46.10", 80_000, rng.randint(1, 4) * GiB)


def _backup_night(flows: _Connections, day: int, shape: str) -> None:
    rng = flows.rng
    night = (1, 4)
    target = BACKUP_DESTINATIONS[0]
    if shape == "new_server" and day < 10:
        return
    if shape == "weekly_full":
        sunday = flows.month.day(day).weekday() == 6
        size = rng.randint(300, 350) if sunday else rng.randint(15, 25)
    else:
        size = rng.randint(40, 60)
        if shape == "two_targets":
            target = BACKUP_DESTINATIONS[day % 2]
    flows.transfer(day, BACKUP_SERVER, target, size * GiB, night)


def write_conn_log(path: Path, records: list[dict[str, Any]]) -> Path:
    """The records as a Zeek TSV conn.log (Zeek's default writer)."""
    opened = datetime.fromtimestamp(records[0]["ts"], UTC).strftime("%Y-%m-%d-%H-%M-%S")
    lines = [
        "#separator \\x09",
        "#set_separator\t,",
        "#empty_field\t(empty)",
        "#unset_field\t-",
        "#path\tconn",
        f"#open\t{opened}",
        "#fields\t" + "\t".join(FIELDS),
        "#types\t" + "\t".join(TYPES),
    ]
    lines += ["\t".join(_zeek_value(record[name]) for name in FIELDS) for record in records]
    lines.append(f"#close\t{opened}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _zeek_value(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6f}"
    return str(value)
