"""The simulated chain of bench/chain_simulation.py: its people, their sign-ins, its flows.

Every site has the same shape: ``per_site`` staff on their shifts (``synthetic.people``:
7:00-15:00 or 14:00-22:00 UTC, one or two devices, a home address in Spain), a workstation
each on the site's LAN 10.<s // 250>.<s % 250>.0/24 (.20 onwards), an EHR server (.6)
the workstations talk to inside, and a backup server (.5) that sends 40-60 GB to the
site's backup provider every night. Workstations open ``flows_per_host`` sessions a working
day to a pool of cloud services (Microsoft 365, the EHR vendor's cloud), a few KB to a few
MB out. Zeek conn.log lines as Zeek's JSON writer prints them; sign-ins as Microsoft
Graph ``signIn`` records (``entra`` format), one JSON object a line.

Planted on the simulated day (``anomalies``): a password spray from one address against 25
people of 25 sites ending in a success, a brute force against one account, an impossible
travel (a site, then Lagos 45 minutes later), three sign-ins deep in the night, and one
exfiltration (a workstation sending 25 GB to one address in two hours).

Everything comes from seeded generators: the same seed and sizes give the same lines.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clinicshield.monitoring.core import synthetic

DAY = datetime(2026, 3, 4, tzinfo=UTC)  # the simulated day, a Wednesday
CLOUD = [f"52.96.{n}.{n * 7 % 250 + 1}" for n in range(8)] + [
    f"20.190.{n}.{n * 11 % 250 + 1}" for n in range(6)
]
EHR_CLOUD = ["51.105.71.136", "51.105.71.137"]
BACKUP_PROVIDERS = ["88.99.12.40", "95.216.30.7", "78.46.90.12"]
THIEF_DESTINATION = "185.220.101.47"
SPRAY_SOURCE, BRUTE_SOURCE, LAGOS = "95.165.33.7", "177.32.4.4", "105.112.7.9"
GB = 1024**3


@dataclass(frozen=True)
class Chain:
    sites: int
    per_site: int
    flows_per_host: int
    seed: int

    @property
    def people(self) -> int:
        return self.sites * self.per_site

    def staff(self) -> list[synthetic.Person]:
        """Person ``i`` works at site ``i % sites`` (synthetic.people's rule)."""
        return synthetic.people(self.people, self.sites, random.Random(self.seed))

    def thief_site(self) -> int:
        return (self.sites * 7) // 13

    def thief(self) -> str:
        return f"{lan(self.thief_site())}.27"


def lan(site: int) -> str:
    return f"10.{site // 250}.{site % 250}"


def site_name(site: int) -> str:
    return f"clinic-{site:04d}"


def sign_in_lines(
    staff: list[synthetic.Person], day: datetime, days: int, rng: random.Random
) -> Iterator[str]:
    for record in synthetic.normal_sign_ins(staff, day, days, rng):
        yield json.dumps(record, separators=(",", ":"))


def _conn(
    ts: float, src: str, dst: str, port: int, out_b: int, in_b: int, rng: random.Random
) -> str:
    uid, sport = f"C{rng.getrandbits(64):016x}", rng.randrange(1024, 65535)
    return (
        f'{{"ts":{ts:.6f},"uid":"{uid}","id.orig_h":"{src}","id.orig_p":{sport},'
        f'"id.resp_h":"{dst}","id.resp_p":{port},"proto":"tcp","service":"ssl",'
        f'"duration":{rng.uniform(0.2, 900):.3f},"orig_bytes":{out_b},"resp_bytes":{in_b},'
        f'"conn_state":"SF","_system_name":"zeek-{src.rsplit(".", 1)[0]}"}}'
    )


def site_flows(chain: Chain, site: int, day: datetime, rng: random.Random) -> list[str]:
    """One site's conn.log for one UTC day: workstations on working days, backups nightly."""
    net, midnight = lan(site), day.timestamp()
    lines = []
    for night in range(4):  # the backup job, every night, 01:00-03:00
        size = rng.randint(10 * GB, 15 * GB)
        provider = BACKUP_PROVIDERS[site % len(BACKUP_PROVIDERS)]
        at = midnight + 3600 + night * 1800 + rng.randrange(600)
        lines.append(_conn(at, f"{net}.5", provider, 443, size, 40_000, rng))
    if day.weekday() < 5:
        for host in range(chain.per_site):
            start = 7 if host % 2 == 0 else 14
            for _ in range(chain.flows_per_host):
                at = midnight + (start + rng.random() * 8) * 3600
                inside = rng.random() < 0.3
                dst = f"{net}.6" if inside else rng.choice(CLOUD + EHR_CLOUD)
                out_b = int(rng.lognormvariate(10.5, 1.2))  # tens of KB, now and then MB
                lines.append(_conn(at, f"{net}.{20 + host}", dst, 443, out_b, out_b * 8, rng))
    return sorted(lines)


def exfiltration(chain: Chain, rng: random.Random) -> list[str]:
    """25 GB from one workstation to one address, 12:00-14:00 of the simulated day."""
    start = DAY.timestamp() + 12 * 3600
    return [
        _conn(start + n * 144, chain.thief(), THIEF_DESTINATION, 443, GB // 2, 30_000, rng)
        for n in range(50)
    ]


def anomalies(staff: list[synthetic.Person], rng: random.Random) -> list[dict[str, object]]:
    """The sign-ins the pass must catch, by people of the chain (see the module's text)."""
    planted = list(synthetic.anomalies(staff, DAY, 3, rng))  # 03:12, travel, spray, brute
    for person, hour, minute in ((staff[3], 1, 37), (staff[4], 2, 55)):
        at = DAY.replace(hour=hour, minute=minute)
        planted.append(synthetic.sign_in(person, at, person.home_ip, rng=rng))
    return planted


def expected(staff: list[synthetic.Person], chain: Chain) -> dict[str, list[str]]:
    """What a detection pass must report, by kind: the key a finding carries."""
    return {
        "off_hours": [staff[0].upn, staff[3].upn, staff[4].upn],
        "impossible_travel": [staff[1].upn],
        "brute_force": [staff[2].upn],
        "password_spray": [SPRAY_SOURCE],
        "spray_success": [staff[-1].upn],
        "exfiltration": [chain.thief()],
    }


def write_day(chain: Chain, folder: Path) -> dict[int, tuple[Path, Path]]:
    """Each site's sign-ins (signins.jsonl) and flows (conn.log) of the simulated day, in
    ``folder/<site>/``; returns the two files of each site."""
    staff = chain.staff()
    planted: dict[int, list[str]] = {}
    site_of = {p.upn: p.site for p in staff}
    for record in anomalies(staff, random.Random(chain.seed + 1)):
        site = site_of[str(record["userPrincipalName"])]
        planted.setdefault(site, []).append(json.dumps(record, separators=(",", ":")))
    thief = exfiltration(chain, random.Random(chain.seed + 2))
    files = {}
    for site in range(chain.sites):
        rng = random.Random(chain.seed * 1_000_003 + site)
        home = folder / site_name(site)
        home.mkdir(parents=True, exist_ok=True)
        people = staff[site :: chain.sites]
        signins = sorted([*sign_in_lines(people, DAY, 1, rng), *planted.get(site, [])])
        flows = site_flows(chain, site, DAY, rng)
        if site == chain.thief_site():
            flows = sorted(flows + thief)
        (home / "signins.jsonl").write_text("\n".join(signins) + "\n")
        (home / "conn.log").write_text("\n".join(flows) + "\n")
        files[site] = (home / "signins.jsonl", home / "conn.log")
    return files


def write_history(chain: Chain, days: int, folder: Path) -> tuple[Path, Path]:
    """The ``days`` before the simulated day, for the whole chain, as two files (the store
    a chain's central server holds before the day: its baselines)."""
    staff = chain.staff()
    first = DAY - timedelta(days=days)
    signins, flows = folder / "history-signins.jsonl", folder / "history-conn.log"
    rng = random.Random(chain.seed + 3)
    with open(signins, "w") as out:
        for line in sign_in_lines(staff, first, days, rng):
            out.write(line + "\n")
    with open(flows, "w") as out:
        for offset in range(days):
            for site in range(chain.sites):
                for line in site_flows(chain, site, first + timedelta(days=offset), rng):
                    out.write(line + "\n")
    return signins, flows
