"""The chain dashboard of bench/chain_simulation.py, on the central server's own database.

Run as a child process once the central server is stopped and the detection passes are
done: the chain's organisation already holds its 2,600 sites, their sensor tokens and
last-seen times, and the alerts the passes raised. Adds what the other apps would hold,
with bench/dashboard_chain.py's seeding (training assignments, a campaign sent to
everyone, a network and a scan per site, a policy and probe results, readiness, 90 days
of score history) and the staff as people of their sites, then renders
``/o/<org>/dashboard/`` as a viewer (Django's test client), ``--repeat`` times.

The page measures at its own clock, so the data it reads (due dates, score history) is
placed around the page's clock, as in bench/dashboard_chain.py; the simulated day's events
and alerts keep their fixed dates.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dashboard_chain  # noqa: E402


def seed_people(org: Any, staff_emails: list[tuple[str, int]]) -> list[tuple[int, str, str]]:
    from clinicshield.accounts.models import Person, Site

    sites = dict(Site.objects.filter(organisation=org).values_list("name", "id"))
    Person.objects.bulk_create(
        [
            Person(organisation=org, site_id=sites[site], name=email.split("@")[0],
                   email=email, department="clinical")
            for email, site in staff_emails
        ],
        batch_size=2000,
    )  # fmt: skip
    return list(Person.objects.filter(organisation=org).values_list("id", "site__name", "email"))


def main(data_dir: str, slug: str, staff_file: str, repeat: int) -> None:
    dashboard_chain.setup_django(data_dir)
    from django.utils import timezone

    from clinicshield.accounts.models import Organisation, Site

    org = Organisation.objects.get(slug=slug)
    now = timezone.now()
    began = time.perf_counter()
    people = seed_people(org, [tuple(row) for row in json.loads(Path(staff_file).read_text())])
    site_ids = list(
        Site.objects.filter(organisation=org).order_by("name").values_list("id", flat=True)
    )
    dashboard_chain.seed_training(org, people, now)
    dashboard_chain.seed_simulation(org, people, now)
    dashboard_chain.seed_exposure(org, site_ids, now)
    dashboard_chain.seed_readiness_and_history(org, site_ids, now)
    seeded = time.perf_counter() - began
    page = dashboard_chain.render(slug, repeat)
    print(json.dumps({"sites": len(site_ids), "staff": len(people), "seed_s": round(seeded, 1),
                      **page}))  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
