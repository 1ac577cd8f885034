"""What site sensors ask the central server, at /api/sensor/.

The sensor's API room holds:
- here, the endpoints (kept in this module: django-ninja names each operation after its
  module, and the operation ids are part of the published schema);
- ``auth``: the HTTP side of a signed request (``SiteSignatureAuth``: the headers and the
  body handed to accounts' ``authenticate_site_request``, the body's size limit), and
  ``sitesite_token(request)``, the token that signed it.

Every request is signed with the site token: batches of log lines (stored by
``monitoring.actions.sensor_batches``), a health report (which also answers with the
schedule the sensor keeps), and the segmentation probes of the sensor's zone, judged by
the server as ``probe --server`` is.

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
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from clinicshield.accounts.actions import do_record_sensor_health
from clinicshield.exposure.actions import do_record_probe
from clinicshield.exposure.queries import plan_for_zone
from clinicshield.lib.errors import UserError
from clinicshield.monitoring.actions.sensor_batches import do_ingest_sensor_batch

from .auth import SiteSignatureAuth, request_body, site_token

router = Router(tags=["sensor"], auth=SiteSignatureAuth())

PROBE_STATES = frozenset({"open", "refused", "filtered", "unreachable"})


class HealthIn(Schema):
    sensor: str
    version: str = ""
    report: dict[str, Any] = {}


class ScheduleOut(Schema):
    site: str
    probe_every_minutes: int
    server_time: str


class ProbePlanOut(Schema):
    zone: str
    endpoints: list[tuple[str, int]]


class ProbeIn(Schema):
    zone: str
    states: list[tuple[str, int, str]]


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
        server_time=now.isoformat(),
    )


@router.get("/probe-plan", response=ProbePlanOut)
def probe_plan(request: HttpRequest, zone: str) -> ProbePlanOut:
    _policy, plan = plan_for_zone(site_token(request).organisation, zone)
    return ProbePlanOut(zone=zone, endpoints=plan.endpoints())


@router.post("/probe-results", response={201: dict[str, Any]})
def probe_results(request: HttpRequest, payload: ProbeIn) -> Status[dict[str, Any]]:
    bad = sorted({state for _a, _p, state in payload.states} - PROBE_STATES)
    if bad:
        raise UserError(
            "bad_state", _("Unknown probe states: %(states)s") % {"states": ", ".join(bad)}
        )
    org = site_token(request).organisation
    policy, plan = plan_for_zone(org, payload.zone)
    states = {(address, port): state for address, port, state in payload.states}
    run = do_record_probe(org, payload.zone, policy, plan, states)
    return Status(201, {"id": run.pk, "zone": run.zone, "verdicts": run.verdicts})
