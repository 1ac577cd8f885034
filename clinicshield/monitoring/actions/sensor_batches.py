"""Batches from site sensors into the event store, with the parsers and quarantine of
``ingest``, each stored once however often it is sent.

A sensor's stream has its own checkpoint (``ingest.ingest_lines(stream=...)``), counting
the stream's lines. Under one lock per stream, a batch is compared with it: lines already
stored are acknowledged and skipped, a batch that starts past it is refused (409: lines
are missing in between), the rest is stored and the checkpoint moves. Batches of
different streams of an organisation are stored side by side.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from clinicshield.accounts.actions import do_note_sensor_seen
from clinicshield.accounts.models import Organisation, Site
from clinicshield.lib.errors import UserError

from ..core import checkpoint, ingest, store
from ..core.geo import GeoLookup
from ..core.parsers import Context
from ..core.sensor_batch import BadBatch, BatchHeader, BatchTooLarge, decode_batch, skip_lines
from ..models import LogSource
from .ingestion import data_dir, geo_lookup, log_source

# Enrichment tables are loaded once per organisation and kept this long in each process
# (its registered networks may change). Web workers run threads: the cache has a lock, and
# a lookup replaced is left to the garbage collector, since another thread may still use it.
GEO_TTL_SECONDS = 300
_GEO: dict[int, tuple[float, GeoLookup]] = {}
_GEO_LOCK = threading.Lock()


@dataclass(frozen=True)
class BatchOutcome:
    batch: str
    status: str  # "stored" or "duplicate"
    stored: int
    quarantined: int
    position: int  # lines of the stream the server now holds

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "status": self.status,
            "stored": self.stored,
            "quarantined": self.quarantined,
            "position": self.position,
        }


def site_label(site: Site) -> str:
    """How a site names its sensors' sources: readable, and unique in the organisation."""
    return f"{slugify(site.name)[:40] or 'site'}-{site.pk}"


def _geo(org: Organisation) -> GeoLookup:
    now = time.monotonic()
    with _GEO_LOCK:
        cached = _GEO.get(org.pk)
        if cached is None or now - cached[0] > GEO_TTL_SECONDS:
            cached = (now, geo_lookup(org))
            _GEO[org.pk] = cached
        return cached[1]


@contextlib.contextmanager
def _sensor_lock(org: Organisation, stream: str) -> Iterator[None]:
    """One batch of a stream at a time between reading its checkpoint and moving it, so
    that two copies of a batch (a sensor that sent again) are not both stored. The
    store's own lock of the stream is taken inside, by ``ingest_lines``."""
    folder = Path(data_dir()) / "sensor-locks" / f"org={store.check_slug(org.slug)}"
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(stream.encode()).hexdigest()[:16]
    with open(folder / f"{name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # let go when the file is closed
        yield


def _decode(body: bytes, encoding: str) -> tuple[BatchHeader, bytes]:
    limit = settings.SENSOR_MAX_BATCH_MB * 1024 * 1024
    try:
        return decode_batch(body, encoding, limit)
    except BatchTooLarge as error:
        raise UserError("batch_too_large", str(error), status=413) from None
    except BadBatch as error:
        raise UserError("bad_batch", str(error), status=400) from None


def _record(source: LogSource, result: ingest.IngestResult) -> None:
    """Add a batch's counts to its log source in one UPDATE (sensors post concurrently)."""
    LogSource.objects.filter(pk=source.pk).update(
        last_ingest_at=timezone.now(),
        records_read=F("records_read") + result.read,
        events_stored=F("events_stored") + result.stored_total,
        quarantined=F("quarantined") + result.quarantined,
    )
    if result.last_event:
        LogSource.objects.filter(pk=source.pk, last_event_at__lt=result.last_event).update(
            last_event_at=result.last_event
        )
        LogSource.objects.filter(pk=source.pk, last_event_at__isnull=True).update(
            last_event_at=result.last_event
        )
    if result.first_event:
        LogSource.objects.filter(pk=source.pk, first_event_at__gt=result.first_event).update(
            first_event_at=result.first_event
        )
        LogSource.objects.filter(pk=source.pk, first_event_at__isnull=True).update(
            first_event_at=result.first_event
        )


def do_ingest_sensor_batch(site: Site, body: bytes, encoding: str) -> BatchOutcome:
    """Store what is new in one batch from a sensor of ``site``."""
    header, data = _decode(body, encoding)
    org = site.organisation
    stream = f"sensor/{site.pk}/{header.sensor}/{header.source}/{header.stream}"
    name = f"{site_label(site)}/{header.sensor}/{header.source}"[:100]
    source = log_source(org, name, header.format)
    with _sensor_lock(org, stream):
        position = checkpoint.for_stream(data_dir(), org.slug, stream).position
        if header.end <= position:
            do_note_sensor_seen(site, timezone.now())
            return BatchOutcome(header.batch_id(), "duplicate", 0, 0, position)
        if header.start > position:
            message = _(
                "Lines %(start)s to %(end)s of %(source)s start past the %(position)s lines "
                "the server holds: the lines in between are missing."
            ) % {
                "start": header.start,
                "end": header.end,
                "source": header.source,
                "position": position,
            }
            raise UserError("gap", message, status=409)
        context = Context(
            timezone=site.timezone or org.timezone or "UTC",
            file_mtime=datetime.fromtimestamp(header.mtime, UTC),
            options={"mapping": source.mapping or None},
        )
        text = skip_lines(data, position - header.start).decode("utf-8", errors="replace")
        try:
            result = ingest.ingest_lines(
                [text],
                data_dir=data_dir(),
                org=org.slug,
                source=name,
                fmt=header.format,
                context=context,
                geo=_geo(org),
                stream=stream,
            )
        except ValueError as error:  # a CSV without a mapping, a bad mapping
            raise UserError("cannot_read", f"{name}: {error}", status=422) from None
    _record(source, result)
    do_note_sensor_seen(site, timezone.now())
    return BatchOutcome(
        header.batch_id(), "stored", result.stored_total, result.quarantined, header.end
    )
