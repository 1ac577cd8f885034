"""REST endpoints of the exposure app, mounted at /api/exposure/."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from ninja import Router, Schema, Status

from clinicshield.lib.api import api_org

from .actions import do_import_nmap_xml, do_record_reported_probe, do_start_scan
from .models import Scan
from .queries import findings_of, networks, plan_for_zone, probe_runs, recent_scans
from .words import finding_row

router = Router(tags=["exposure"])


class NetworkOut(Schema):
    id: int
    cidr: str
    site: str
    zone: str
    ports: str
    scan_every_days: int


class ScanOut(Schema):
    id: int
    network: str
    source: str
    status: str
    progress: int
    ports: str
    created_at: datetime
    finished_at: datetime | None
    hosts_up: list[str]


class FindingOut(Schema):
    host: str
    port: int
    proto: str
    service: str
    product: str
    risk: str
    why: str
    advice: str
    change: str
    zone: str
    scan: int


class ScanIn(Schema):
    targets: list[str]
    ports: str = "clinic"


class ImportIn(Schema):
    xml: str


class ProbePlanOut(Schema):
    zone: str
    endpoints: list[tuple[str, int]]


class ProbeResultsIn(Schema):
    zone: str
    states: list[tuple[str, int, str]]


# Scanning, importing and probing need the role it (or owner).
IT_ONLY = gettext_lazy("This token's role may not start scans.")


def _scan_out(scan: Scan) -> ScanOut:
    return ScanOut(
        id=scan.pk,
        network=scan.network.cidr,
        source=scan.source,
        status=scan.status,
        progress=scan.progress,
        ports=scan.ports,
        created_at=scan.created_at,
        finished_at=scan.finished_at,
        hosts_up=list(scan.hosts_up),
    )


@router.get("/networks", response=list[NetworkOut])
def list_networks(request: HttpRequest) -> list[NetworkOut]:
    return [
        NetworkOut(
            id=n.pk,
            cidr=n.cidr,
            site=n.site.name,
            zone=n.zone,
            ports=n.ports,
            scan_every_days=n.scan_every_days,
        )
        for n in networks(api_org(request))
    ]


@router.get("/scans", response=list[ScanOut])
def list_scans(request: HttpRequest, limit: int = 50) -> list[ScanOut]:
    scans = recent_scans(api_org(request))[: max(1, min(limit, 500))]
    return [_scan_out(s) for s in scans]


@router.get("/scans/{scan_id}", response=ScanOut)
def get_scan(request: HttpRequest, scan_id: int) -> ScanOut:
    return _scan_out(get_object_or_404(Scan, pk=scan_id, organisation=api_org(request)))


@router.get("/scans/{scan_id}/findings", response=list[FindingOut])
def scan_findings(request: HttpRequest, scan_id: int) -> list[dict[str, Any]]:
    scan = get_object_or_404(Scan, pk=scan_id, organisation=api_org(request))
    return [finding_row(f) for f in findings_of([scan])]


@router.post("/scans", response={202: list[ScanOut]})
def start_scan(request: HttpRequest, payload: ScanIn) -> Status[list[ScanOut]]:
    """Queue scans of registered networks; out-of-scope targets are refused with 403."""
    org = api_org(request, "it", IT_ONLY)
    scans = do_start_scan(org, payload.targets, payload.ports, "api")
    return Status(202, [_scan_out(s) for s in scans])


@router.post("/scans/import", response={201: list[ScanOut]})
def import_scan(request: HttpRequest, payload: ImportIn) -> Status[list[ScanOut]]:
    """Record nmap XML (e.g. from a site sensor) as scans of the registered networks."""
    org = api_org(request, "it", IT_ONLY)
    result = do_import_nmap_xml(org, payload.xml, "API upload", "api")
    return Status(201, [_scan_out(s) for s in result.scans])


@router.get("/probes")
def list_probes(request: HttpRequest, limit: int = 20) -> list[dict[str, Any]]:
    runs = probe_runs(api_org(request))[: max(1, min(limit, 200))]
    return [
        {
            "id": r.pk,
            "zone": r.zone,
            "ran_at": r.ran_at,
            "verdicts": r.verdicts,
            "controls": r.controls,
        }
        for r in runs
    ]


@router.get("/probe-plan", response=ProbePlanOut)
def probe_plan(request: HttpRequest, zone: str) -> ProbePlanOut:
    """What a sensor in `zone` must test (checked against the registered networks)."""
    _policy, plan = plan_for_zone(api_org(request, "it", IT_ONLY), zone)
    return ProbePlanOut(zone=zone, endpoints=plan.endpoints())


@router.post("/probe-results", response={201: dict[str, Any]})
def probe_results(request: HttpRequest, payload: ProbeResultsIn) -> Status[dict[str, Any]]:
    """A sensor reports what it saw; the server judges each rule and stores the run."""
    org = api_org(request, "it", IT_ONLY)
    run = do_record_reported_probe(org, payload.zone, payload.states)
    return Status(201, {"id": run.pk, "zone": run.zone, "verdicts": run.verdicts})
