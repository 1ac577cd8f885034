"""Scans run by a site's own sensor: handing them out, and storing what the sensor saw.

A network whose site has a live site token is scanned from inside the site, since the
central worker cannot reach a clinic's networks: ``do_start_scan`` leaves such scans to the
sensor (``runner="sensor"``, no job). The sensor takes them (``do_claim_site_scans``), runs
the product's scan where it stands and posts what it saw (``do_record_site_scan``), which
is stored through ``do_record_observation`` exactly as a central scan's: findings with
their zone risk, drift against the previous scan, alerts for new risky ports.
"""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicshield.accounts.models import Site
from clinicshield.lib.errors import UserError

from ..core.observations import Observation
from ..core.site_report import BadReport, observation_from_report
from ..models import Scan
from ..queries import site_scans_waiting
from .networks import check_port_spec, resolve_targets
from .scans import do_record_observation


@dataclass(frozen=True)
class SiteScanOrder:
    """What a sensor needs to run one scan: the addresses are checked against scope here,
    and the sensor checks them again against the network before sending a packet."""

    scan: int
    network: str
    zone: str
    from_zone: str
    addresses: list[str]
    ports: list[int]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def do_claim_site_scans(site: Site, sensor: str, now: datetime) -> list[SiteScanOrder]:
    """Hand the site's waiting scans to ``sensor`` (running from ``now``). A scan whose
    targets left the registered networks meanwhile fails here, before any packet."""
    orders = []
    with transaction.atomic():
        waiting = site_scans_waiting(site, now).select_for_update(skip_locked=True, of=("self",))
        for scan in waiting.select_related("network"):
            try:
                orders.append(_order(site, scan))
            except UserError as refused:
                scan.status, scan.error, scan.finished_at = "failed", str(refused.message), now
                scan.save(update_fields=["status", "error", "finished_at"])
                continue
            scan.status, scan.started_at, scan.sensor = "running", now, sensor[:100]
            scan.progress = 0
            scan.save(update_fields=["status", "started_at", "sensor", "progress"])
    return orders


def _order(site: Site, scan: Scan) -> SiteScanOrder:
    # Scope again at hand-out time, as a central scan checks it again when it starts.
    grouped = resolve_targets(site.organisation, scan.targets.split())
    if set(grouped) != {scan.network}:
        raise UserError(
            "out_of_scope",
            _("The scan's targets are no longer all in %(cidr)s.") % {"cidr": scan.network.cidr},
            status=403,
        )
    return SiteScanOrder(
        scan=scan.pk,
        network=scan.network.cidr,
        zone=scan.network.zone,
        from_zone=scan.from_zone,
        addresses=grouped[scan.network],
        ports=check_port_spec(scan.ports),
    )


def do_record_site_scan(
    site: Site,
    scan_id: int,
    *,
    hosts_up: list[Any],
    open_ports: list[Any],
    error: str = "",
) -> tuple[Scan, bool]:
    """Store what the site's sensor saw in scan ``scan_id`` (or that it failed); returns
    the scan and whether this report was stored (False: it was already, sent again after
    a lost answer). A scan of another site or organisation does not exist here (404)."""
    scan = (
        Scan.objects.filter(pk=scan_id, organisation_id=site.organisation_id, network__site=site)
        .filter(runner="sensor")
        .select_related("network", "organisation")
        .first()
    )
    if scan is None:
        raise UserError("not_found", _("This site has no scan %(id)s.") % {"id": scan_id}, 404)
    if scan.status in ("done", "failed"):
        return scan, False
    if scan.status != "running":
        raise UserError("not_taken", _("Scan %(id)s was not handed out.") % {"id": scan_id}, 409)
    observation: Observation | None = None
    if not error:
        try:
            observation = observation_from_report(hosts_up, open_ports, set(scan.targets.split()))
        except BadReport as bad:
            raise UserError("bad_report", str(bad)) from None
    with transaction.atomic():
        # One report wins: a second one sent at the same moment finds the scan finished.
        if not Scan.objects.filter(pk=scan.pk, status="running").update(status="done"):
            return scan, False
        if observation is None:
            scan.status, scan.error, scan.finished_at = "failed", error[:2000], timezone.now()
            scan.save(update_fields=["status", "error", "finished_at"])
            return scan, True
        return do_record_observation(scan, observation), True
