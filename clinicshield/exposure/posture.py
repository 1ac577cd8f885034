"""Read-only figures of the exposure app for the dashboard: plain dicts, grouped queries.

Owned by the dashboard (issue 6); it reads this app's models and never writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Max

from clinicshield.accounts.models import Organisation

from .core.knowledge import HIGH_RISK
from .core.segmentation import INCONCLUSIVE, UNTESTED, VIOLATED, PolicyError, parse_policy
from .models import Finding, Network, Scan, SegmentationPolicy
from .queries import latest_verdicts


def _latest_scan_ids(org: Organisation) -> Any:
    """A subquery: the id of the latest finished scan of each network."""
    return (
        Scan.objects.filter(organisation=org, status="done")
        .values("network_id")
        .annotate(last=Max("id"))
        .values("last")
    )


def risky_ports(org: Organisation) -> list[dict[str, Any]]:
    """Open high/critical ports in the latest scan of each network, worst first."""
    rows = (
        Finding.objects.filter(
            organisation=org, scan_id__in=_latest_scan_ids(org), severity__in=sorted(HIGH_RISK)
        )
        .values(
            "address",
            "port",
            "proto",
            "service",
            "severity",
            "scan__network__site_id",
            "scan__network__site__name",
            "scan__network__zone",
        )
        .order_by("address", "port")
    )
    ports = [
        {
            "address": r["address"],
            "port": r["port"],
            "proto": r["proto"],
            "service": r["service"],
            "severity": r["severity"],
            "site_id": r["scan__network__site_id"],
            "site": r["scan__network__site__name"],
            "zone": r["scan__network__zone"],
        }
        for r in rows
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


def exposure_posture(org: Organisation, now: datetime) -> dict[str, Any]:
    """Risky ports, scan age (org and per site id), and the segmentation figures."""
    site_ids = set(Network.objects.filter(organisation=org).values_list("site_id", flat=True))
    if not site_ids:
        return {"set_up": False, "org": None, "sites": {}, "segmentation": None}
    last_scans = dict(
        Scan.objects.filter(organisation=org, status="done")
        .values("network__site_id")
        .annotate(last=Max("finished_at"))
        .values_list("network__site_id", "last")
    )
    ports = risky_ports(org)
    by_site: dict[int, list[dict[str, Any]]] = {}
    for port in ports:
        by_site.setdefault(port["site_id"], []).append(port)
    sites: dict[int, dict[str, Any]] = {}
    for site_id in site_ids:
        last = last_scans.get(site_id)
        sites[site_id] = {
            "days_since_last_scan": (now - last).days if last else None,
            "risky_ports": by_site.get(site_id, []),
        }
    known = [last for last in last_scans.values() if last is not None]
    return {
        "set_up": True,
        "org": {
            "days_since_last_scan": (now - max(known)).days if known else None,
            "risky_ports": ports,
        },
        "sites": sites,
        "segmentation": segmentation_figures(org, now),
    }
