"""What a detection pass reads besides the events: settings, rules, the organisation's
hours, zones and service accounts, and where its queries run."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from clinicshield.accounts.models import Organisation, Person

from ..core import engines
from ..core.detectors import DetectionContext, DetectionSettings
from ..models import ServiceAccount

if TYPE_CHECKING:
    from ..core.sigma_rules import CompiledRule, RuleSet


def detection_connection() -> Any:
    """Where this pass's queries run (DETECTION_ENGINE): a fresh in-process DuckDB, or the
    process's one Spark session (starting a JVM takes seconds, so it is kept between passes)."""
    engine = getattr(settings, "DETECTION_ENGINE", "duckdb")
    if engine == "duckdb":
        return engines.connect("duckdb")
    return _spark_connection(
        engine,
        getattr(settings, "DETECTION_SPARK_MASTER", ""),
        getattr(settings, "DETECTION_SPARK_MEMORY", ""),
    )


@lru_cache(maxsize=1)
def _spark_connection(engine: str, master: str, memory: str) -> Any:
    return engines.connect(engine, spark_master=master, spark_memory=memory)


def detection_settings() -> DetectionSettings:
    """Defaults overridden by the MONITORING_DETECTION mapping in settings (when present)."""
    return DetectionSettings.from_mapping(dict(getattr(settings, "MONITORING_DETECTION", {})))


@lru_cache(maxsize=8)
def _rules(folders: tuple[str, ...]) -> RuleSet:
    # pySigma loads here, not at import: ``clinicshield ingest`` never needs it.
    from ..core.sigma_rules import load_rules

    return load_rules([Path(f) for f in folders])


def sigma_rules() -> RuleSet:
    """Our ClickFix pack plus the SigmaHQ folders listed in MONITORING_SIGMA_DIRS."""
    return _rules(tuple(str(f) for f in getattr(settings, "MONITORING_SIGMA_DIRS", [])))


def opening_hours(org: Organisation) -> dict[int, list[tuple[str, str]]]:
    """The organisation's opening hours: every site's hours together (a chain's widest day)."""
    merged: dict[int, list[tuple[str, str]]] = {}
    for site in org.sites.all():
        for day, spans in (site.opening_hours or {}).items():
            merged.setdefault(int(day), []).extend((str(a), str(b)) for a, b in spans)
    return merged


def user_timezones(org: Organisation) -> dict[str, str]:
    """Accounts of people whose site keeps another time zone than the organisation's,
    matched on the local part of their email (as the explanations match names)."""
    zone = org.timezone or "UTC"
    zones: dict[str, str] = {}
    people = Person.objects.filter(organisation=org, active=True, site__isnull=False)
    for email, site_zone in people.values_list("email", "site__timezone"):
        if site_zone and site_zone != zone:
            zones.setdefault(email.split("@", 1)[0].lower(), site_zone)
    return zones


def detection_context(org: Organisation, start: datetime, end: datetime) -> DetectionContext:
    rules: tuple[CompiledRule, ...] = tuple(sigma_rules().rules)
    names = ServiceAccount.objects.filter(organisation=org).values_list("name", flat=True)
    accounts = frozenset(name.lower() for name in names)
    return DetectionContext(
        start=start,
        end=end,
        timezone=org.timezone or "UTC",
        user_timezones=user_timezones(org),
        opening_hours=opening_hours(org),
        service_accounts=accounts,
        sigma_rules=rules,
        settings=detection_settings(),
    )
