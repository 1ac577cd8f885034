"""Ingestion: files and live messages into the event store, and their log sources."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicshield.accounts.models import Organisation
from clinicshield.lib.errors import UserError

from ..core import ingest
from ..core.detect_format import UnrecognisedFormat, detect
from ..core.geo import GeoLookup, parse_networks
from ..core.parsers import FORMATS, Context
from ..models import LogSource


def data_dir() -> Path:
    return Path(settings.DATA_DIR)


def geo_lookup(org: Organisation) -> GeoLookup:
    """Offline enrichment with the operator's .mmdb (if any) and the org's own ranges."""
    mmdb = [p for p in str(getattr(settings, "GEOIP_MMDB", "") or "").split(",") if p.strip()]
    cidrs = list(org.networks.values_list("cidr", flat=True)) if hasattr(org, "networks") else []
    try:
        internal = parse_networks(cidrs)
    except ValueError:
        internal = []
    return GeoLookup(
        mmdb_paths=[p.strip() for p in mmdb], internal=internal, cache_dir=settings.CACHE_DIR
    )


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            "bad_timezone", _("%(zone)s is not a time zone name.") % {"zone": name}
        ) from None
    return name


def resolve_format(path: Path, fmt: str) -> str:
    """The format to read ``path`` with; refuses a file ``auto`` cannot recognise."""
    if not path.is_file():
        raise UserError("no_file", _("%(path)s: no such file.") % {"path": path})
    if fmt != "auto":
        if fmt not in FORMATS:
            raise UserError("bad_format", _("Unknown format %(format)s.") % {"format": fmt})
        return fmt
    try:
        return detect(path)
    except UnrecognisedFormat as error:
        message = _(
            "%(path)s: format not recognised; it looks like %(looked_like)s. "
            "Choose one with --format (and a field mapping for application logs)."
        ) % {"path": path, "looked_like": error.looked_like}
        raise UserError("unrecognised_format", message) from None


def log_source(org: Organisation, name: str, fmt: str) -> LogSource:
    source, _created = LogSource.objects.get_or_create(
        organisation=org, name=name, defaults={"format": fmt}
    )
    return source


def _record(source: LogSource, result: ingest.IngestResult) -> None:
    """Add a run's counts to its log source, under a row lock: a file's run and the syslog
    receiver may finish at the same moment."""
    with transaction.atomic():
        source = LogSource.objects.select_for_update().get(pk=source.pk)
        source.last_ingest_at = timezone.now()
        source.records_read += result.read
        source.events_stored += result.stored_total
        source.quarantined += result.quarantined
        if result.last_event and (
            not source.last_event_at or result.last_event > source.last_event_at
        ):
            source.last_event_at = result.last_event
        if result.first_event and (
            not source.first_event_at or result.first_event < source.first_event_at
        ):
            source.first_event_at = result.first_event
        source.save(
            update_fields=[
                "last_ingest_at",
                "records_read",
                "events_stored",
                "quarantined",
                "last_event_at",
                "first_event_at",
            ]
        )


def do_ingest_files(
    org: Organisation,
    paths: Sequence[Path],
    fmt: str = "auto",
    *,
    year: int | None = None,
    tz: str | None = None,
    source: str | None = None,
    mapping: dict[str, Any] | None = None,
    progress: Callable[[Path, str, int], Callable[[int], None] | None] | None = None,
) -> list[ingest.IngestResult]:
    """Ingest files for ``org``; each file's new records only (checkpoints).

    ``progress(path, format, total)`` may return a callback that receives how far each
    batch moved (bytes, or records for .evtx). Formats are checked for every file before
    anything is stored, so a refused file refuses the whole command.
    """
    zone = _check_timezone(tz or org.timezone or "UTC")
    plan = [(Path(p), resolve_format(Path(p), fmt)) for p in paths]
    geo = geo_lookup(org)
    results = []
    for path, name in plan:
        source_name = source or name
        stored_source = log_source(org, source_name, name)
        options = {"mapping": mapping or stored_source.mapping or None}
        context = Context(year=year, timezone=zone, options=options)
        total = path.stat().st_size
        advance = progress(path, name, total) if progress else None
        try:
            result = ingest.ingest_file(
                path,
                data_dir=data_dir(),
                org=org.slug,
                fmt=name,
                source=source_name,
                context=context,
                geo=geo,
                progress=advance,
            )
        except ValueError as error:  # a CSV without a mapping, a bad mapping
            raise UserError("cannot_read", f"{path}: {error}") from error
        _record(stored_source, result)
        results.append(result)
    geo.close()
    return results


def do_ingest_messages(
    org: Organisation,
    source: str,
    messages: Sequence[str],
    *,
    tz: str | None = None,
    now: datetime | None = None,
    geo: GeoLookup | None = None,
) -> ingest.IngestResult:
    """Store syslog messages received live from ``source`` (the receiver's batches)."""
    context = Context(timezone=_check_timezone(tz or org.timezone or "UTC"), file_mtime=now)
    result = ingest.ingest_lines(
        messages,
        data_dir=data_dir(),
        org=org.slug,
        source=source,
        context=context,
        geo=geo or geo_lookup(org),
    )
    _record(log_source(org, source, "syslog"), result)
    return result
