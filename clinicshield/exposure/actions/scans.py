"""Running scans, importing nmap results, and recording what was seen with its drift."""

import asyncio
import ipaddress
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from clinicshield.accounts.models import Organisation
from clinicshield.lib.errors import UserError

from ..core import drift
from ..core.knowledge import HIGH_RISK, assess
from ..core.observations import Observation, OpenPort
from ..core.observe import observe
from ..core.scanner import ScanOptions
from ..core.scope import network_of
from ..models import Change, Finding, Network, Scan
from ..queries import Picture, current_picture, sensor_site_ids
from .alerts import raise_new_port_alert
from .networks import check_port_spec, resolve_targets

ProgressCallback = Callable[[int, int], None]


def do_start_scan(
    org: Organisation,
    targets: list[str],
    ports: str,
    actor: Any,
    from_zone: str = "",
    *,
    requested_at: datetime | None = None,
    in_background: bool = True,
) -> list[Scan]:
    """Check scope and ports, create one scan per registered network touched, and queue each
    for a worker once the transaction commits; a network whose site has a live site token
    is left to that site's sensor instead (``runner="sensor"``, no job: see site_scans).

    `requested_at` dates the request (the scheduler's `now`, so that running its job again
    for the same moment finds the scans made). `in_background=False` queues nothing: for
    the CLI, which runs the scans itself at once (do_run_scan) with a progress bar; a
    worker must not run them as well.
    """
    check_port_spec(ports)
    grouped = resolve_targets(org, targets)
    # A site's own sensor is the only one that can reach its networks (the CLI runs its
    # scans where it stands, so it keeps them).
    by_sensor = sensor_site_ids(org) if in_background else set()
    with transaction.atomic():
        scans = [
            Scan.objects.create(
                organisation=org,
                network=network,
                targets=" ".join(addresses),
                ports=ports,
                from_zone=from_zone,
                requested_by=str(actor),
                runner="sensor" if network.site_id in by_sensor else "worker",
            )
            for network, addresses in grouped.items()
        ]
        if requested_at is not None:  # created_at is auto_now_add: set it afterwards
            Scan.objects.filter(pk__in=[s.pk for s in scans]).update(created_at=requested_at)
            for scan in scans:
                scan.created_at = requested_at
        for scan in scans:
            if in_background and scan.runner == "worker":
                transaction.on_commit(partial(_queue_scan, scan.pk))
    return scans


def _queue_scan(scan_id: int) -> None:
    from ..tasks import run_scan  # late: tasks imports these actions

    run_scan(scan_id)


@dataclass
class _Progress:
    """Counts written by the scan's event loop, read by the thread that owns the database.

    Django's ORM must not be called from inside the event loop, and the scan must never
    wait on the database, so the loop only stores two integers.
    """

    done: int = 0
    total: int = 0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total


def _scan_with_progress(
    scan: Scan, addresses: list[str], options: ScanOptions, on_progress: ProgressCallback | None
) -> Observation:
    progress = _Progress()
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(asyncio.run, observe(addresses, options, progress))
        while True:
            try:
                return running.result(timeout=1.0)
            except FutureTimeout:
                if progress.total:
                    percent = min(99, progress.done * 100 // progress.total)
                    Scan.objects.filter(pk=scan.pk).update(progress=percent)
                    if on_progress is not None:
                        on_progress(progress.done, progress.total)


def do_run_scan(
    scan: Scan,
    *,
    use_nmap: bool = False,
    concurrency: int = 1024,
    timeout: float = 1.0,
    on_progress: ProgressCallback | None = None,
) -> Scan:
    """Run a queued scan now (in the CLI, or in a worker) and record what it saw."""
    scan.status, scan.started_at = "running", timezone.now()
    scan.save(update_fields=["status", "started_at"])
    try:
        # Scope is checked again at run time: the network may have been removed since.
        grouped = resolve_targets(scan.organisation, scan.targets.split())
        addresses = [a for group in grouped.values() for a in group]
        ports = check_port_spec(scan.ports)
        if use_nmap:
            from ..core.nmap_xml import run_nmap  # nmap's reader only when nmap is used

            observation = run_nmap(addresses, ports)
        else:
            options = ScanOptions(ports=ports, concurrency=concurrency, timeout=timeout)
            observation = _scan_with_progress(scan, addresses, options, on_progress)
    except Exception as error:
        scan.status, scan.error, scan.finished_at = "failed", str(error)[:2000], timezone.now()
        scan.save(update_fields=["status", "error", "finished_at"])
        raise
    return do_record_observation(scan, observation)


def do_record_observation(scan: Scan, observation: Observation) -> Scan:
    """Store findings with their zone risk, the drift against the previous scan, and alert.

    A finding is `unchanged` when the network's picture before this scan had it open, else
    `new`. Only a port an earlier scan looked at and did not find open has appeared: that
    alone raises an alert (a port no earlier scan asked, or a first scan, is seen for the
    first time, which says nothing of when it opened).
    """
    zone = scan.network.zone
    with transaction.atomic():
        keys = [p.key for p in observation.open_ports]
        before = current_picture(scan.organisation, of=[scan.network], before=scan, asking=keys)
        open_before = {(f.address, f.port, f.proto) for f in before.findings}
        findings = [_finding(scan, port, zone, open_before) for port in observation.open_ports]
        Finding.objects.bulk_create(findings)
        severity_of = {(f.address, f.port, f.proto): f.severity for f in findings}
        if before.coverages:  # a first scan is the baseline: nothing has changed yet
            changes = _drift_from_picture(before, scan, observation)
            Change.objects.bulk_create(_change_rows(scan, changes, severity_of))
        scan.status, scan.progress, scan.finished_at = "done", 100, timezone.now()
        scan.hosts_up = observation.hosts_up
        scan.save(update_fields=["status", "progress", "finished_at", "hosts_up"])
        for finding in findings:
            key = (finding.address, finding.port, finding.proto)
            appeared = finding.change == "new" and key in before.looked_at
            if appeared and finding.severity in HIGH_RISK:
                transaction.on_commit(_alert_later(scan.organisation, finding, zone))
    return scan


def _drift_from_picture(
    before: Picture, scan: Scan, observation: Observation
) -> list[drift.Change]:
    """Drift from the network's picture before this scan (each address and port as the
    newest scan that looked at it saw it) over what this scan looked at: the addresses it
    targeted whose state was known; for a closed port, a port it asked; for a new one, a
    port an earlier scan looked at. So a scan of one host makes no other host gone, a
    smaller port set closes no port it did not ask, a wider one opens none, and after a
    scan of one host the next whole scan still sees what changed on the others."""
    now = scan.coverage
    known = {a for a in [*before.hosts_up, *observation.hosts_up] if before.targeted(a)}
    known |= {f.address for f in before.findings}
    known = {a for a in known if now.targets(a)}
    open_before = [
        OpenPort(f.address, f.port, f.proto, f.service, f.product)
        for f in before.findings
        if f.address in known
    ]
    seen_before = {p.key for p in open_before}
    seen_now = {p.key for p in observation.open_ports}
    return drift.compare(
        [a for a in before.hosts_up if a in known],
        [p for p in open_before if p.key in seen_now or now.asks(p.port, p.proto)],
        [a for a in observation.hosts_up if a in known],
        [
            p
            for p in observation.open_ports
            if p.address in known and (p.key in seen_before or p.key in before.looked_at)
        ],
    )


def _alert_later(org: Organisation, finding: Finding, zone: str) -> Callable[[], None]:
    def alert() -> None:
        raise_new_port_alert(org, finding, zone)

    return alert


def _finding(scan: Scan, port: OpenPort, zone: str, open_before: set[Any]) -> Finding:
    verdict = assess(port.port, port.proto, zone, scan.from_zone or None, port.details)
    return Finding(
        organisation_id=scan.organisation_id,
        scan=scan,
        address=port.address,
        port=port.port,
        proto=port.proto,
        service=port.service[:40],
        product=port.product[:200],
        details=port.details,
        severity=verdict.severity,
        reason=verdict.reason,
        change=drift.change_of(port, open_before),
    )


def _change_rows(
    scan: Scan, changes: list[drift.Change], severity_of: dict[Any, str]
) -> list[Change]:
    return [
        Change(
            organisation_id=scan.organisation_id,
            scan=scan,
            kind=c.kind,
            address=c.address,
            port=c.port,
            proto=c.proto,
            before=c.before[:200],
            after=c.after[:200],
            severity=severity_of.get((c.address, c.port, c.proto), "info"),
        )
        for c in changes
    ]


@dataclass
class ImportResult:
    scans: list[Scan]
    ignored_hosts: list[str]  # up in the file but outside every registered network


def do_import_nmap_xml(
    org: Organisation, text: bytes | str, source: str, actor: Any
) -> ImportResult:
    """Record an nmap -oX file as one scan per registered network it covers."""
    from ..core.nmap_xml import NmapXmlError, parse_nmap_xml  # defusedxml: not for scans

    try:
        observation = parse_nmap_xml(text, source)
    except NmapXmlError as error:
        raise UserError("bad_nmap_xml", str(error)) from None
    networks = list(Network.objects.filter(organisation=org))
    by_cidr = {n.cidr: n for n in networks}
    groups: dict[Network, list[str]] = {}
    ignored = []
    for address in observation.hosts_up:
        holder = network_of(ipaddress.ip_address(address), list(by_cidr))
        if holder is None:
            ignored.append(address)
        else:
            groups.setdefault(by_cidr[str(holder)], []).append(address)
    scans = []
    with transaction.atomic():  # one file, one write: all its networks or none
        for network, hosts in groups.items():
            part = Observation(
                source="nmap-xml",
                hosts_up=hosts,
                open_ports=[p for p in observation.open_ports if p.address in set(hosts)],
            )
            scan = Scan.objects.create(
                organisation=org,
                network=network,
                targets=" ".join(hosts),
                ports="imported",
                source="nmap-xml",
                status="running",
                started_at=timezone.now(),
                requested_by=str(actor),
            )
            scans.append(do_record_observation(scan, part))
    return ImportResult(scans, ignored)
