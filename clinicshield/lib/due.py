"""Periodic jobs as plain functions of `now`.

A due job works out for itself what is due at `now` and does only what has not been done yet,
so running it twice for the same moment changes nothing. `clinicshield run-due --now T` runs
every registered job for the moment T (tests and operators drive time this way); the Huey
worker runs each job on its own cron with the real clock.
"""

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps

log = logging.getLogger(__name__)

DueFunction = Callable[[datetime], str | None]


@dataclass(frozen=True)
class DueJob:
    name: str
    function: DueFunction
    cron: dict[str, str]  # keyword arguments for huey.crontab


REGISTRY: dict[str, DueJob] = {}


def due_job(name: str, **cron: str) -> Callable[[DueFunction], DueFunction]:
    """Register `fn(now) -> summary` as a periodic job; cron keywords as huey.crontab takes."""

    def register(function: DueFunction) -> DueFunction:
        REGISTRY[name] = DueJob(name, function, cron or {"minute": "*/5"})
        return function

    return register


def discover() -> None:
    """Import every installed ClinicShield app's due.py so its jobs register."""
    for config in apps.get_app_configs():
        if config.name.startswith("clinicshield."):
            try:
                importlib.import_module(f"{config.name}.due")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.due":
                    raise


def run_job(job: DueJob, now: datetime) -> str:
    from .models import DueJobRun

    try:
        summary = job.function(now) or ""
    except Exception as error:
        log.exception("due job %s failed", job.name)
        DueJobRun.objects.create(job=job.name, now=now, ok=False, summary=repr(error))
        raise
    DueJobRun.objects.create(job=job.name, now=now, ok=True, summary=summary)
    return summary


def run_due(now: datetime, only: list[str] | None = None) -> dict[str, str]:
    """Run every registered job (or the named ones) for the moment `now`, in name order."""
    discover()
    unknown = sorted(set(only or []) - set(REGISTRY))
    if unknown:
        raise KeyError(", ".join(unknown))
    results = {}
    for name in sorted(REGISTRY):
        if only and name not in only:
            continue
        results[name] = run_job(REGISTRY[name], now)
    return results
