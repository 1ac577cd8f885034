"""Read-only figures of the exposure app for the dashboard: plain dicts, grouped queries.

Owned by the dashboard (issue 6); it reads this app's models and never writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Max, Q

from clinicshield.accounts.models import Organisation

from .core.knowledge import HIGH_RISK
from .core.segmentation import INCONCLUSIVE, UNTESTED, VIOLATED, PolicyError, parse_policy
from .models import Network, SegmentationPolicy
from .queries import current_picture, latest_verdicts


def risky_ports(org: Organisation) -> list[dict[str, Any]]:
    """Open high/critical ports in the current picture (each address and port as the newest
    scan that looked at it saw it), worst first."""
    ports = [
        {
            "address": f.address,
            "port": f.port,
            "proto": f.proto,
            "service": f.service,
            "severity": f.severity,
            "site_id": f.scan.network.site_id,
            "site": f.scan.network.site.name,
            "zone": f.scan.network.zone,
        }
        for f in current_picture(org, severities=HIGH_RISK).findings
    ]
    return sorted(ports, key=lambda p: (p["severity"] != "critical", p["address"], p["port"]))


def segmentation_figures(org: Organisation, now: datetime) -> dict[str, int] | None:
    """Rules in the policy, and how many the latest probes found violated or did not test."""
    stored = SegmentationPolicy.objects.filter(organisation=org).first()
    if stored is None:
        return None
    try:
        rules = [rule.index for rule in parse_policy(stored.text).rules]
    except PolicyError:
        return {"rules": 0, "violated": 0, "untested": 0}
    # The verdicts the Segmentation page shows: recent, and of the rule now at each index.
    latest = dict(latest_verdicts(org, now))
    states = [latest.get(index, UNTESTED) for index in rules]
    return {
        "rules": len(rules),
        "violated": states.count(VIOLATED),
        "untested": sum(state in (UNTESTED, INCONCLUSIVE) for state in states),
    }


def _days_since_oldest(networks: list[Any], now: datetime) -> int | None:
    """Days since the network seen whole longest ago was last scanned, so that one network
    whose scans keep failing is not hidden by a healthy one beside it. A network never
    scanned while others were counts from when it was registered. None: none was ever
    scanned (`last`: the network's last finished scan)."""
    if not any(network.last for network in networks):
        return None
    oldest = min(network.last or network.created_at for network in networks)
    return max(0, (now - oldest).days)


def exposure_posture(org: Organisation, now: datetime) -> dict[str, Any]:
    """Risky ports, scan age (org and per site id: that of the network scanned longest
    ago), and the segmentation figures."""
    networks = Network.objects.filter(organisation=org).annotate(
        last=Max("scans__finished_at", filter=Q(scans__status="done"))
    )
    networks_by_site: dict[int, list[Any]] = {}
    for network in networks:
        networks_by_site.setdefault(network.site_id, []).append(network)
    if not networks_by_site:
        return {"set_up": False, "org": None, "sites": {}, "segmentation": None}
    ports = risky_ports(org)
    by_site: dict[int, list[dict[str, Any]]] = {}
    for port in ports:
        by_site.setdefault(port["site_id"], []).append(port)
    sites = {
        site_id: {
            "days_since_last_scan": _days_since_oldest(site_networks, now),
            "risky_ports": by_site.get(site_id, []),
        }
        for site_id, site_networks in networks_by_site.items()
    }
    return {
        "set_up": True,
        "org": {
            "days_since_last_scan": _days_since_oldest(list(networks), now),
            "risky_ports": ports,
        },
        "sites": sites,
        "segmentation": segmentation_figures(org, now),
    }
