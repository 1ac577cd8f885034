"""What site sensors ask the central server, at /api/sensor/.

The sensor's API room holds:
- here, the endpoints (kept in this module: django-ninja names each operation after its
  module, and the operation ids are part of the published schema);
- ``auth``: the HTTP side of a signed request (``SiteSignatureAuth``: the headers and the
  body handed to accounts' ``authenticate_site_request``, the body's size limit), and
  ``sitesite_token(request)``, the token that signed it.

Every request is signed with the site token: batches of log lines (stored by
``monitoring.actions.sensor_batches``), a health report (which also answers with the
schedule the sensor keeps and how many scans wait for it), the segmentation probes of the
sensor's zone, judged by the server as ``probe --server`` is, and the scheduled scans of
the site's networks (``exposure.actions.site_scans``): handed out, run by the sensor,
stored as a central scan's. A site token reaches its own site's scans only.

``POST /batches``: one batch (``monitoring/core/sensor_batch.py``), compressed
(``Content-Encoding: zstd`` or ``gzip``). Answers 200 with what was stored (or
``duplicate`` for lines the server already holds), 400 for a batch that cannot be read,
401 for a refused signature or token, 409 when lines before the batch are missing, 413
past CLINICSHIELD_SENSOR_MAX_BATCH_MB, 422 for lines the format cannot read without a
mapping.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from clinicshield.accounts.actions import do_record_sensor_health
from clinicshield.exposure.actions import (
    do_claim_site_scans,
    do_record_reported_probe,
    do_record_site_scan,
)
from clinicshield.exposure.queries import plan_for_zone, site_scans_waiting
from clinicshield.monitoring.actions.sensor_batches import do_ingest_sensor_batch

from .auth import SiteSignatureAuth, request_body, site_token

router = Router(tags=["sensor"], auth=SiteSignatureAuth())


class HealthIn(Schema):
    sensor: str
    version: str = ""
    report: dict[str, Any] = {}


class ScheduleOut(Schema):
    site: str
    probe_every_minutes: int
    scans_waiting: int
    server_time: str


class ProbePlanOut(Schema):
    zone: str
    endpoints: list[tuple[str, int]]


class ProbeIn(Schema):
    zone: str
    states: list[tuple[str, int, str]]


class ScanPlanIn(Schema):
    sensor: str


class ScanOrderOut(Schema):
    scan: int
    network: str
    zone: str
    from_zone: str
    addresses: list[str]
    ports: list[int]


class ScanPlanOut(Schema):
    scans: list[ScanOrderOut]


class ScanResultsIn(Schema):
    scan: int
    hosts_up: list[Any] = []
    open_ports: list[Any] = []
    error: str = ""


@router.post("/batches")
def post_batch(request: HttpRequest) -> dict[str, Any]:
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    outcome = do_ingest_sensor_batch(site_token(request).site, request_body(request), encoding)
    return outcome.as_dict()


@router.post("/health", response=ScheduleOut)
def post_health(request: HttpRequest, payload: HealthIn) -> ScheduleOut:
    """Keep the sensor's report on its site; answer with what it should run, and when."""
    token, now = site_token(request), timezone.now()
    report = {**payload.report, "version": payload.version}
    do_record_sensor_health(token, payload.sensor, report, now)
    return ScheduleOut(
        site=token.site.name,
        probe_every_minutes=settings.SENSOR_PROBE_MINUTES,
        scans_waiting=site_scans_waiting(token.site, now).count(),
        server_time=now.isoformat(),
    )


@router.get("/probe-plan", response=ProbePlanOut)
def probe_plan(request: HttpRequest, zone: str) -> ProbePlanOut:
    _policy, plan = plan_for_zone(site_token(request).organisation, zone)
    return ProbePlanOut(zone=zone, endpoints=plan.endpoints())


@router.post("/probe-results", response={201: dict[str, Any]})
def probe_results(request: HttpRequest, payload: ProbeIn) -> Status[dict[str, Any]]:
    org = site_token(request).organisation
    run = do_record_reported_probe(org, payload.zone, payload.states)
    return Status(201, {"id": run.pk, "zone": run.zone, "verdicts": run.verdicts})


@router.post("/scan-plan", response=ScanPlanOut)
def scan_plan(request: HttpRequest, payload: ScanPlanIn) -> dict[str, Any]:
    """Hand the sensor the scans waiting for its site (each then runs for this sensor)."""
    token = site_token(request)
    orders = do_claim_site_scans(token.site, payload.sensor, timezone.now())
    return {"scans": [order.as_dict() for order in orders]}


@router.post("/scan-results")
def scan_results(request: HttpRequest, payload: ScanResultsIn) -> dict[str, Any]:
    """What the sensor saw in one scan of its site, stored as a central scan's would be."""
    scan, stored = do_record_site_scan(
        site_token(request).site,
        payload.scan,
        hosts_up=payload.hosts_up,
        open_ports=payload.open_ports,
        error=payload.error,
    )
    return {
        "scan": scan.pk,
        "status": "stored" if stored else "duplicate",
        "scan_status": scan.status,
        "findings": scan.findings.count(),
        "changes": scan.changes.count(),
    }
