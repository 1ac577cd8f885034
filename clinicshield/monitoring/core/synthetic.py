"""Realistic synthetic sign-ins and logs, for the demo clinic and for the benchmarks.

People of a clinic chain sign in on weekdays within their shift, from their site's
public address or from home (same country), on one or two devices. A handful of
anomalies can be mixed in on purpose: a sign-in at 03:12 at night, one from a new
country, two sign-ins too far apart for the time between them, a password spray from one
address ending in a success, and a brute force against one account.

Everything is seeded: the same seed gives the same records. Addresses come from the
IETF documentation ranges or from well-known public networks of the countries named,
never from real clinics.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

FIRST = [
    "ana",
    "luis",
    "marta",
    "jorge",
    "lucia",
    "pablo",
    "elena",
    "david",
    "sara",
    "ivan",
    "paula",
    "raul",
    "nuria",
    "sergio",
    "laura",
    "diego",
    "irene",
    "alvaro",
    "clara",
    "hugo",
    "carmen",
    "mario",
    "julia",
    "adrian",
    "rosa",
    "oscar",
    "alba",
    "ruben",
]
LAST = [
    "garcia",
    "lopez",
    "martin",
    "sanchez",
    "perez",
    "gomez",
    "ruiz",
    "diaz",
    "moreno",
    "alvarez",
    "romero",
    "navarro",
    "torres",
    "dominguez",
    "vazquez",
    "ramos",
]
APPS = ["Office 365 Exchange Online", "Microsoft Teams", "OfficeHome", "SharePoint Online"]
CLIENTS = ["Browser", "Mobile Apps and Desktop clients"]
DEVICES = [
    ("Windows 10", "Edge"),
    ("Windows 11", "Chrome"),
    ("macOS", "Safari"),
    ("iOS", "Mobile Safari"),
    ("Android", "Chrome Mobile"),
]
# Public networks by country (first two octets); used as "home" and "foreign" addresses.
COUNTRY_PREFIXES = {
    "ES": ["83.44", "88.12", "79.148"],
    "PT": ["85.240", "188.80"],
    "NG": ["105.112", "102.89"],
    "RU": ["95.165", "178.176"],
    "BR": ["177.32", "189.6"],
    "US": ["73.15", "24.30"],
}


@dataclass
class Person:
    upn: str
    site: int
    shift_start: int  # hour
    shift_hours: int
    devices: list[tuple[str, str]]
    home_ip: str


def people(
    n: int,
    sites: int,
    rng: random.Random,
    domain: str = "clinic.example",
    upns: list[str] | None = None,
) -> list[Person]:
    """``n`` staff (or one per given sign-in name) with shifts, devices and a home address."""
    found = []
    for i in range(len(upns) if upns else n):
        name = f"{rng.choice(FIRST)}.{rng.choice(LAST)}{i}"
        prefix = rng.choice(COUNTRY_PREFIXES["ES"])
        found.append(
            Person(
                upn=upns[i] if upns else f"{name}@{domain}",
                site=i % max(1, sites),
                shift_start=rng.choice([7, 8, 8, 9, 14, 15]),
                shift_hours=rng.choice([6, 7, 8]),
                devices=rng.sample(DEVICES, rng.choice([1, 2])),
                home_ip=f"{prefix}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}",
            )
        )
    return found


def site_ip(site: int) -> str:
    return f"83.44.{site // 250}.{site % 250 + 1}"


def sign_in(
    person: Person,
    ts: datetime,
    ip: str,
    *,
    error: int = 0,
    country: str = "ES",
    rng: random.Random,
) -> dict[str, Any]:
    """One Microsoft Graph ``signIn`` resource."""
    os_name, browser = rng.choice(person.devices)
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "createdDateTime": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "userPrincipalName": person.upn,
        "userDisplayName": person.upn.split("@")[0].replace(".", " ").title(),
        "appDisplayName": rng.choice(APPS),
        "clientAppUsed": rng.choice(CLIENTS),
        "ipAddress": ip,
        "isInteractive": True,
        "status": {
            "errorCode": error,
            "failureReason": "Invalid username or password." if error else None,
        },
        "deviceDetail": {
            "deviceId": "",
            "displayName": "",
            "operatingSystem": os_name,
            "browser": browser,
        },
        "location": {"countryOrRegion": country},
    }


def normal_sign_ins(
    staff: list[Person], start: datetime, days: int, rng: random.Random
) -> Iterator[dict[str, Any]]:
    for day in range(days):
        date = start + timedelta(days=day)
        if date.weekday() >= 5:
            continue
        for person in staff:
            # People keep to their shift: a sign-in as it starts, one mid-shift and one
            # before leaving, each within a quarter of an hour of the usual time.
            shift = date.replace(hour=person.shift_start, minute=0, second=0, microsecond=0)
            moments = [
                shift + timedelta(minutes=offset + rng.randrange(-10, 15))
                for offset in (10, person.shift_hours * 30, person.shift_hours * 60 - 40)
            ]
            for ts in moments:
                ts += timedelta(seconds=rng.randrange(60))
                ip = site_ip(person.site) if rng.random() < 0.85 else person.home_ip
                error = 50126 if rng.random() < 0.03 else 0
                yield sign_in(person, ts, ip, error=error, rng=rng)


def anomalies(
    staff: list[Person], start: datetime, days: int, rng: random.Random
) -> Iterator[dict[str, Any]]:
    """The few sign-ins a newcomer should see alerts for."""
    late = start + timedelta(days=days - 3)
    victim, traveller, target = staff[0], staff[1 % len(staff)], staff[2 % len(staff)]
    yield sign_in(victim, late.replace(hour=3, minute=12), victim.home_ip, rng=rng)
    at_work = late.replace(hour=traveller.shift_start, minute=5)
    yield sign_in(traveller, at_work, site_ip(traveller.site), rng=rng)
    yield sign_in(traveller, at_work + timedelta(minutes=45), "105.112.7.9", country="NG", rng=rng)
    spray_ip, spray_at = "95.165.33.7", late.replace(hour=4, minute=0)
    for i, person in enumerate(staff[:25]):
        yield sign_in(
            person,
            spray_at + timedelta(seconds=20 * i),
            spray_ip,
            error=50126,
            country="RU",
            rng=rng,
        )
    yield sign_in(staff[-1], spray_at + timedelta(minutes=12), spray_ip, country="RU", rng=rng)
    brute_at = late.replace(hour=22, minute=30)
    for i in range(30):
        yield sign_in(
            target,
            brute_at + timedelta(seconds=7 * i),
            "177.32.4.4",
            error=50126,
            country="BR",
            rng=rng,
        )


def clinic_month(
    *,
    now: datetime,
    users: int = 24,
    sites: int = 2,
    days: int = 30,
    seed: int = 7,
    with_anomalies: bool = True,
    upns: list[str] | None = None,
) -> list[dict[str, Any]]:
    """A month of a small clinic's Entra sign-ins ending yesterday, oldest first."""
    rng = random.Random(seed)
    staff = people(users, sites, rng, upns=upns)
    start = (now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    records = list(normal_sign_ins(staff, start, days, rng))
    if with_anomalies:
        records.extend(anomalies(staff, start, days, rng))
    records.sort(key=lambda r: r["createdDateTime"])
    return records


def write_entra_jsonl(
    path: Path,
    count: int,
    *,
    seed: int = 1,
    users: int = 2000,
    sites: int = 200,
    start: datetime | None = None,
) -> int:
    """``count`` Graph sign-ins of a chain, one JSON object per line."""
    rng = random.Random(seed)
    staff = people(users, sites, rng)
    begin = start or datetime(2026, 1, 5, tzinfo=UTC)
    written = 0
    with open(path, "w") as out:
        while written < count:
            for record in normal_sign_ins(staff, begin, 7, rng):
                out.write(json.dumps(record, separators=(",", ":")) + "\n")
                written += 1
                if written >= count:
                    break
            begin += timedelta(days=7)
    return written


# sshd lines of an auth.log: (template, counts as a failure for fail2ban's sshd filter).
_SSHD_TEMPLATES = [
    ("Accepted publickey for {user} from {ip} port {port} ssh2: RSA SHA256:{key}", False),
    ("Accepted password for {user} from {ip} port {port} ssh2", False),
    ("Failed password for {user} from {ip} port {port} ssh2", True),
    ("Failed password for invalid user {bad} from {ip} port {port} ssh2", True),
    ("Invalid user {bad} from {ip} port {port}", True),
    (
        "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
        "rhost={ip}  user={user}",
        False,
    ),
    ("Connection closed by authenticating user {user} {ip} port {port} [preauth]", False),
    ("Received disconnect from {ip} port {port}:11: Bye Bye [preauth]", False),
    ("Failed publickey for {user} from {ip} port {port} ssh2: RSA SHA256:{key}", False),
    (
        "error: maximum authentication attempts exceeded for {user} from {ip} port {port} "
        "ssh2 [preauth]",
        True,
    ),
]
_NOISE = [
    "CRON[{pid}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
    "CRON[{pid}]: pam_unix(cron:session): session closed for user root",
    "systemd[1]: Started Session {pid} of User {user}.",
    "systemd-logind[{pid}]: New session {pid} of user {user}.",
    "kernel: [{pid}.123456] UFW BLOCK IN=eth0 OUT= SRC={ip} DST=198.51.100.1 PROTO=TCP",
]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def write_sshd_auth_log(
    path: Path, lines: int, *, seed: int = 1, hosts: int = 200, start: datetime | None = None
) -> int:
    """An RFC 3164 auth.log of a chain's servers (no year); returns fail2ban-style failures.

    About 60 % of lines are sshd (sign-ins, failures, invalid users, pre-auth noise), the
    rest cron, systemd and kernel. Attackers come from a few hundred addresses.
    """
    rng = random.Random(seed)
    users = [f"{rng.choice(FIRST)}{i}" for i in range(300)] + ["root", "admin"]
    attackers = [
        f"{rng.choice(['45.', '61.', '103.', '185.', '218.'])}"
        f"{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        for _ in range(400)
    ]
    staff_ips = [f"198.51.100.{i}" for i in range(1, 255)]
    ts = start or datetime(2025, 3, 1, tzinfo=UTC)
    failures = 0
    with open(path, "w") as out:
        for i in range(lines):
            ts += timedelta(milliseconds=rng.randrange(50, 400))
            stamp = f"{_MONTHS[ts.month - 1]} {ts.day:2d} {ts:%H:%M:%S}"
            host = f"srv{rng.randrange(hosts):03d}"
            values = {
                "user": rng.choice(users),
                "bad": f"test{rng.randrange(999)}",
                "port": rng.randrange(1024, 65535),
                "key": "x" * 8,
                "pid": 1000 + i % 90000,
            }
            if rng.random() < 0.6:
                template, counts = _SSHD_TEMPLATES[rng.randrange(len(_SSHD_TEMPLATES))]
                values["ip"] = rng.choice(attackers if counts else staff_ips + attackers)
                text = f"sshd[{values['pid']}]: " + template.format(**values)
                failures += counts
            else:
                values["ip"] = rng.choice(attackers)
                text = rng.choice(_NOISE).format(**values)
            out.write(f"{stamp} {host} {text}\n")
    return failures
