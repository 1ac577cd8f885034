"""Monitoring demo: a month of the demo clinic's Microsoft 365 sign-ins, with a few
anomalies (a sign-in at 03:12 at night, impossible travel, a password spray that ends in a
success, a brute force), ingested like any export and then run through the detectors."""

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings

from clinicshield.accounts.models import Organisation

from .actions import do_ingest_files, do_run_detection
from .core import synthetic
from .core.store import events_root, quarantine_root


def _forget_store(org: Organisation) -> None:
    """A re-seeded demo starts from an empty store (its old events would be duplicates)."""
    data_dir = Path(settings.DATA_DIR)
    for folder in (
        events_root(data_dir, org.slug),
        quarantine_root(data_dir, org.slug),
        data_dir / "checkpoints" / f"org={org.slug}",
    ):
        shutil.rmtree(folder, ignore_errors=True)


def seed(org: Organisation, now: datetime) -> str:
    _forget_store(org)
    emails = list(org.people.filter(active=True).values_list("email", flat=True)[:40])
    records = synthetic.clinic_month(
        now=now, sites=max(1, org.sites.count()), upns=emails if len(emails) >= 3 else None
    )
    export = Path(settings.DATA_DIR) / "demo" / f"{org.slug}-entra-signins.jsonl"
    export.parent.mkdir(parents=True, exist_ok=True)
    export.write_text("".join(json.dumps(r) + "\n" for r in records))
    (result,) = do_ingest_files(org, [export], "entra", source="entra-demo", tz="UTC")
    detection = do_run_detection(org, now, start=now - timedelta(days=4))
    return (
        f"{result.stored_total} sign-ins stored from {export.name}, "
        f"{len(detection.new_alerts)} alerts raised"
    )
