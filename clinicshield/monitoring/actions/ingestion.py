"""Ingestion: files and live messages into the event store, and their log sources."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicshield.accounts.models import Organisation
from clinicshield.lib.errors import UserError

from ..core import ingest
from ..core.detect_format import UnrecognisedFormat, detect
from ..core.geo_config import UnreadableMmdb, open_mmdb, parse_networks
from ..core.parsers import FORMATS, Context
from ..models import LogSource

if TYPE_CHECKING:
    from ..core.geo import GeoLookup


def data_dir() -> Path:
    return Path(settings.DATA_DIR)


def _mmdb_paths() -> list[str]:
    return [
        p.strip() for p in str(getattr(settings, "GEOIP_MMDB", "") or "").split(",") if p.strip()
    ]


def geo_lookup(org: Organisation) -> GeoLookup:
    """Offline enrichment with the operator's .mmdb (if any) and the org's own ranges.

    A configured .mmdb that cannot be opened is refused (UserError ``bad_geoip_mmdb``)
    naming the setting and the file: enriching without it would quietly store events
    with less than the operator asked for."""
    from ..core.geo import GeoLookup

    cidrs = list(org.networks.values_list("cidr", flat=True)) if hasattr(org, "networks") else []
    try:
        internal = parse_networks(cidrs)
    except ValueError:
        internal = []
    try:
        return GeoLookup(mmdb_paths=_mmdb_paths(), internal=internal, cache_dir=settings.CACHE_DIR)
    except UnreadableMmdb as error:
        raise UserError("bad_geoip_mmdb", _unreadable_mmdb_message(error)) from None


def check_geoip_setting() -> None:
    """Refuse (as :func:`geo_lookup` would) a configured .mmdb that cannot be opened,
    without loading the lookup tables: a run may find nothing new to enrich."""
    for path in _mmdb_paths():
        try:
            open_mmdb(path).close()
        except UnreadableMmdb as error:
            raise UserError("bad_geoip_mmdb", _unreadable_mmdb_message(error)) from None


def _unreadable_mmdb_message(error: UnreadableMmdb) -> str:
    why = {
        "missing": _("there is no such file"),
        "folder": _("it is a folder, not a file"),
        "not_mmdb": _("it is not a MaxMind database (.mmdb)"),
    }.get(error.why, error.detail or error.why)
    return _(
        "CLINICSHIELD_GEOIP_MMDB names %(path)s, which cannot be opened: %(why)s. "
        "Fix the path or leave the setting empty to use the bundled data."
    ) % {"path": error.path, "why": why}


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


MAPPED_FORMATS = ("csv", "json")


def saved_format(org: Organisation, source: str | None) -> str | None:
    """The format a named source with a saved field mapping is read with, if any: such
    a file is an application's own CSV or JSON, which ``auto`` cannot recognise."""
    if not source:
        return None
    found = LogSource.objects.filter(organisation=org, name=source).first()
    if found is None or not found.mapping or found.format not in MAPPED_FORMATS:
        return None
    return found.format


def _check_mapping_saveable(plan: list[tuple[Path, str]], source: str | None) -> str:
    """The one format a mapping saved on ``source`` belongs to, or a refusal."""
    if not source:
        raise UserError(
            "mapping_needs_source", _("A field mapping is saved on a log source: name it.")
        )
    formats = sorted({name for _path, name in plan})
    if len(formats) != 1 or formats[0] not in MAPPED_FORMATS:
        message = _(
            "A field mapping is read by the csv and json formats only, one of them per log "
            "source; %(source)s would get %(formats)s. Give --format csv or --format json."
        ) % {"source": source, "formats": ", ".join(formats)}
        raise UserError("mapping_format", message)
    return formats[0]


def _save_mapping(source: LogSource, fmt: str, mapping: dict[str, Any]) -> None:
    with transaction.atomic():
        source = LogSource.objects.select_for_update().get(pk=source.pk)
        source.mapping = mapping
        source.format = fmt
        source.save(update_fields=["mapping", "format"])


def do_ingest_files(
    org: Organisation,
    paths: Sequence[Path],
    fmt: str = "auto",
    *,
    year: int | None = None,
    tz: str | None = None,
    source: str | None = None,
    mapping: dict[str, Any] | None = None,
    save_mapping: bool = False,
    progress: Callable[[Path, str, int], Callable[[int], None] | None] | None = None,
) -> list[ingest.IngestResult]:
    """Ingest files for ``org``; each file's new records only (checkpoints).

    ``progress(path, format, total)`` may return a callback that receives how far each
    batch moved (bytes, or records for .evtx). Formats are checked for every file before
    anything is stored, so a refused file refuses the whole command.

    A named ``source`` with a saved field mapping is read with its saved format when
    ``fmt`` is ``auto``, and with its mapping unless ``mapping`` is given. With
    ``save_mapping``, ``mapping`` is saved on ``source`` (with the format it was read
    with) once every file has been read with it.
    """
    zone = _check_timezone(tz or org.timezone or "UTC")
    if fmt == "auto":
        fmt = saved_format(org, source) or fmt
    plan = [(Path(p), resolve_format(Path(p), fmt)) for p in paths]
    mapped_format = _check_mapping_saveable(plan, source) if save_mapping and mapping else None
    check_geoip_setting()
    built: list[GeoLookup] = []

    def geo() -> GeoLookup:  # built for the first file with something new, then shared
        if not built:
            built.append(geo_lookup(org))
        return built[0]

    results = []
    try:
        for path, name in plan:
            results.append(_ingest_one(org, path, name, source, mapping, year, zone, geo, progress))
    finally:
        for lookup in built:
            lookup.close()
    if mapped_format and mapping is not None and source:
        _save_mapping(log_source(org, source, mapped_format), mapped_format, mapping)
    return results


def _ingest_one(
    org: Organisation,
    path: Path,
    fmt: str,
    source: str | None,
    mapping: dict[str, Any] | None,
    year: int | None,
    zone: str,
    geo: Callable[[], GeoLookup],
    progress: Callable[[Path, str, int], Callable[[int], None] | None] | None,
) -> ingest.IngestResult:
    source_name = source or fmt
    stored_source = log_source(org, source_name, fmt)
    options = {"mapping": mapping or stored_source.mapping or None}
    context = Context(year=year, timezone=zone, options=options)
    total = path.stat().st_size
    advance = progress(path, fmt, total) if progress else None
    try:
        result = ingest.ingest_file(
            path,
            data_dir=data_dir(),
            org=org.slug,
            fmt=fmt,
            source=source_name,
            context=context,
            geo=geo,
            progress=advance,
        )
    except ValueError as error:  # a CSV without a mapping, a bad mapping
        raise UserError("cannot_read", f"{path}: {error}") from error
    _record(stored_source, result)
    return result


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
