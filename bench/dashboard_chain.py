"""Benchmark: render the dashboard of a chain of 500 sites and 20,000 staff.

    .venv/bin/python bench/dashboard_chain.py [--sites 500] [--staff 20000] [--repeat 5]

Seeds a throw-away SQLite database (in a temporary CLINICSHIELD_DATA_DIR) with bulk_create:
the sites and staff, four training modules per person (some overdue, some expired), a
campaign sent to everyone, a network with a scan per site (every seventh site with RDP
open), a segmentation policy with probe results, a call tree, a drill and 90 days of score
history. Then renders /o/chain/dashboard/ through Django's test client, as a logged-in
viewer, and prints one JSON line per size: the median render time, the query count, and
the ratio of time to the small chain (a tenth of the size, same run): near 10 would mean
the page grows with the chain; the grouped queries keep it well below.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODULES = ("phishing", "clickfix", "passwords-mfa", "patient-privacy")
POLICY = "zones:\n  admin: [10.0.0.0/8]\n  guest: [172.16.0.0/12]\nrules:\n" + "".join(
    f"  - {{from: guest, to: admin, action: block, ports: [{p}]}}\n" for p in (22, 445, 3389)
)


def setup_django(data_dir: str) -> None:
    os.environ["CLINICSHIELD_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicshield.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def seed_chain(slug: str, sites: int, staff: int, now: Any) -> Any:
    from clinicshield.accounts.actions import do_create_organisation
    from clinicshield.accounts.models import Person, Site

    org = do_create_organisation(f"Chain {slug}", slug, "Europe/Madrid", "bench")
    Site.objects.bulk_create(
        [Site(organisation=org, name=f"Site {i:04d}") for i in range(sites)], batch_size=1000
    )
    site_ids = list(
        Site.objects.filter(organisation=org).order_by("name").values_list("id", flat=True)
    )
    Person.objects.bulk_create(
        [
            Person(organisation=org, site_id=site_ids[i % sites], name=f"Person {i}",
                   email=f"p{i}@{slug}.example", department="reception")
            for i in range(staff)
        ],
        batch_size=2000,
    )  # fmt: skip
    people = list(Person.objects.filter(organisation=org).values_list("id", "site__name", "email"))
    seed_training(org, people, now)
    seed_simulation(org, people, now)
    seed_exposure(org, site_ids, now)
    seed_readiness_and_history(org, site_ids, now)
    return org


def seed_training(org: Any, people: list[tuple[int, str, str]], now: Any) -> None:
    from clinicshield.training.models import Assignment

    rows = []
    for index, (person_id, _site, _email) in enumerate(people):
        for position, key in enumerate(MODULES):
            late = (index + position) % 9 == 0
            done = None if late else now - timedelta(days=30 + (index * 7 + position) % 300)
            rows.append(
                Assignment(organisation=org, person_id=person_id, module_key=key,
                           reason="refresh", assigned_at=now - timedelta(days=60),
                           due_at=now - timedelta(days=30), completed_at=done)
            )  # fmt: skip
    Assignment.objects.bulk_create(rows, batch_size=5000)


def seed_simulation(org: Any, people: list[tuple[int, str, str]], now: Any) -> None:
    from clinicshield.simulations.models import Campaign, Recipient, SendingProfile

    profile = SendingProfile.objects.create(
        organisation=org, name="relay", host="127.0.0.1", from_address="it@chain.example"
    )
    launched = now - timedelta(days=12)
    campaign = Campaign.objects.create(
        organisation=org, name="Invoice", template_key="invoice", kind="phishing",
        landing="login", sending_profile=profile, base_url="http://127.0.0.1:8000",
        state="finished", launched_at=launched,
    )  # fmt: skip
    Recipient.objects.bulk_create(
        [
            Recipient(campaign=campaign, person_id=pid, email=email, name=email,
                      site_name=site, status="clicked" if i % 8 == 0 else "sent",
                      send_state="sent", sent_at=launched,
                      reported_at=launched + timedelta(minutes=9) if i % 3 == 0 else None)
            for i, (pid, site, email) in enumerate(people)
        ],
        batch_size=2000,
    )  # fmt: skip


def seed_exposure(org: Any, site_ids: list[int], now: Any) -> None:
    from clinicshield.exposure.models import (
        Finding,
        Network,
        ProbeRun,
        Scan,
        SegmentationPolicy,
    )

    Network.objects.bulk_create(
        [Network(organisation=org, site_id=s, zone="admin", cidr=f"10.{i // 250}.{i % 250}.0/24")
         for i, s in enumerate(site_ids)],
        batch_size=1000,
    )  # fmt: skip
    networks = list(Network.objects.filter(organisation=org).order_by("id"))
    Scan.objects.bulk_create(
        [Scan(organisation=org, network=n, targets=n.cidr, status="done",
              finished_at=now - timedelta(days=3)) for n in networks],
        batch_size=1000,
    )  # fmt: skip
    findings = []
    for index, scan in enumerate(Scan.objects.filter(organisation=org).select_related("network")):
        base = scan.network.cidr.rsplit(".", 1)[0]
        findings.append(
            Finding(
                organisation=org,
                scan=scan,
                address=f"{base}.10",
                port=443,
                service="https",
                severity="low",
                reason="base",
                change="new",
            )
        )
        if index % 7 == 0:
            findings.append(
                Finding(
                    organisation=org,
                    scan=scan,
                    address=f"{base}.20",
                    port=3389,
                    service="ms-wbt-server",
                    severity="critical",
                    reason="base",
                    change="new",
                )
            )
    Finding.objects.bulk_create(findings, batch_size=2000)  # fmt: skip
    SegmentationPolicy.objects.create(organisation=org, text=POLICY)
    ProbeRun.objects.create(
        organisation=org, zone="guest", ran_at=now - timedelta(days=2),
        verdicts=[{"rule": 0, "verdict": "held"}, {"rule": 1, "verdict": "violated"}],
    )  # fmt: skip


def seed_readiness_and_history(org: Any, site_ids: list[int], now: Any) -> None:
    from clinicshield.dashboard.actions import do_record_scores
    from clinicshield.dashboard.demo import seed as seed_history
    from clinicshield.readiness.models import CallTreeContact, Drill

    for kind in ("owner", "it_support", "dpo"):
        CallTreeContact.objects.create(organisation=org, kind=kind, name=kind, phone="600000000")
    Drill.objects.create(
        organisation=org, scenario_key="ransomware", language="es", facilitator="bench",
        status="finished", started_at=now - timedelta(days=70),
        finished_at=now - timedelta(days=70),
    )  # fmt: skip
    seed_history(org, now - timedelta(days=1))
    do_record_scores(org, now - timedelta(hours=1))


def render(slug: str, repeat: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from clinicshield.accounts.actions import do_add_member
    from clinicshield.accounts.models import Organisation

    org = Organisation.objects.get(slug=slug)
    email = f"viewer@{slug}.example"
    if not get_user_model().objects.filter(email=email).exists():
        do_add_member(org, email, "viewer", "bench")
    client = Client()
    client.force_login(get_user_model().objects.get(email=email))
    url = f"/o/{slug}/dashboard/"
    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, SERVER_NAME="localhost")
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    return {"median_s": round(statistics.median(times), 3), "queries": queries,
            "bytes": len(response.content)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--staff", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cs-bench-dashboard-") as data_dir:
        setup_django(data_dir)
        from django.utils import timezone

        now = timezone.now()
        results = {}
        for slug, sites, staff in (
            ("small", max(1, args.sites // 10), max(1, args.staff // 10)),
            ("chain", args.sites, args.staff),
        ):
            started = time.perf_counter()
            seed_chain(slug, sites, staff, now)
            seeded = time.perf_counter() - started
            results[slug] = {"sites": sites, "staff": staff, "seed_s": round(seeded, 1),
                             **render(slug, args.repeat)}  # fmt: skip
        small, chain = results["small"], results["chain"]
        print(json.dumps({
            "bench": "dashboard_chain",
            "sites": chain["sites"], "staff": chain["staff"],
            "render_median_s": chain["median_s"], "queries": chain["queries"],
            "page_bytes": chain["bytes"], "seed_s": chain["seed_s"],
            "small_render_median_s": small["median_s"], "small_queries": small["queries"],
            "time_ratio_chain_vs_small": round(chain["median_s"] / small["median_s"], 2),
            "size_ratio": round(chain["staff"] / small["staff"], 1),
        }))  # fmt: skip


if __name__ == "__main__":
    main()
