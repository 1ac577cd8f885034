"""Reads of the exposure app, shared by pages, API, CLI, actions and due jobs; nothing here
writes.

- networks: the registered networks, and those whose scheduled scan is due;
- scans: recent scans, the latest finished scan of each network, the one before a scan;
- site scans: which sites' sensors scan their networks, and what a site's sensor should run;
- findings and changes: what a set of scans found, a host's history, the drift timeline;
- segmentation: the stored policy, the latest verdicts, what a probe in a zone must test.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from clinicshield.accounts.models import Organisation, Site
from clinicshield.accounts.queries import live_site_tokens
from clinicshield.lib.errors import UserError

from .core.scope import OutOfScope, check_scope
from .core.segmentation import Policy, PolicyError, ProbePlan, Rule, parse_policy, plan_probe
from .models import Change, Finding, Network, ProbeRun, Scan, SegmentationPolicy

# --- networks -------------------------------------------------------------------------------


def networks(org: Organisation) -> QuerySet[Network]:
    return Network.objects.filter(organisation=org).select_related("site")


def network_by_cidr(org: Organisation, cidr: str) -> Network | None:
    return Network.objects.filter(organisation=org, cidr=cidr).first()


# A scheduled scan that failed is tried again this soon, not a whole period later.
FAILED_SCAN_RETRY = timedelta(hours=1)


def networks_due(now: datetime) -> list[Network]:
    """Networks of every organisation whose last scheduled scan is older than their period,
    or failed more than FAILED_SCAN_RETRY ago."""
    due = []
    for network in Network.objects.filter(scan_every_days__gt=0).select_related("organisation"):
        latest = (
            Scan.objects.filter(network=network, source="scanner").order_by("-created_at").first()
        )
        wait = timedelta(days=network.scan_every_days)
        if latest is not None and latest.status == "failed":
            wait = min(wait, FAILED_SCAN_RETRY)
        if latest is None or latest.created_at <= now - wait:
            due.append(network)
    return due


# --- scans ----------------------------------------------------------------------------------


def recent_scans(org: Organisation) -> QuerySet[Scan]:
    """Every scan of the organisation, newest first."""
    return Scan.objects.filter(organisation=org).select_related("network")


def latest_scans(org: Organisation) -> list[Scan]:
    """The latest finished scan of each network: the current picture."""
    latest = []
    for network in Network.objects.filter(organisation=org):
        scan = network.scans.filter(status="done").order_by("-id").first()
        if scan is not None:
            latest.append(scan)
    return latest


def previous_scan(scan: Scan) -> Scan | None:
    """The finished scan of the same network before this one: what drift compares with."""
    return (
        Scan.objects.filter(network=scan.network, status="done", id__lt=scan.id)
        .order_by("-id")
        .first()
    )


# --- scans run by site sensors --------------------------------------------------------------

# A scan a sensor took and has not reported on within this time is handed out again (its
# sensor died mid-scan, or the report never arrived). Longer than any scan a site runs:
# a /24 on the clinic ports takes minutes.
SITE_SCAN_LEASE = timedelta(hours=6)


def sensor_site_ids(org: Organisation) -> set[int]:
    """Sites whose networks are scanned by their own sensor: those with a live site token."""
    return set(live_site_tokens(org).values_list("site_id", flat=True))


def site_scans_waiting(site: Site, now: datetime) -> QuerySet[Scan]:
    """Scans of the site's networks that its sensor should run now: queued for it, or taken
    by a sensor more than SITE_SCAN_LEASE ago and never reported."""
    stale = now - SITE_SCAN_LEASE
    waiting = Q(status="queued") | Q(status="running", started_at__lt=stale)
    return (
        Scan.objects.filter(organisation_id=site.organisation_id, network__site=site)
        .filter(runner="sensor")
        .filter(waiting)
        .order_by("id")
    )


# --- findings and changes -------------------------------------------------------------------


def findings_of(scans: Iterable[Scan]) -> QuerySet[Finding]:
    return Finding.objects.filter(scan__in=list(scans)).select_related("scan__network")


def host_findings(org: Organisation, address: str) -> QuerySet[Finding]:
    """Every finding of one address, latest scan first."""
    return (
        Finding.objects.filter(organisation=org, address=address)
        .select_related("scan__network")
        .order_by("-scan_id", "port")
    )


def changes(org: Organisation, address: str | None = None) -> QuerySet[Change]:
    """The drift timeline, newest first; of one address when given."""
    found = Change.objects.filter(organisation=org).select_related("scan")
    return found if address is None else found.filter(address=address)


# --- segmentation ---------------------------------------------------------------------------


def stored_policy(org: Organisation) -> SegmentationPolicy | None:
    return SegmentationPolicy.objects.filter(organisation=org).first()


def policy_of(org: Organisation) -> Policy | None:
    stored = stored_policy(org)
    return parse_policy(stored.text) if stored else None


def probe_runs(org: Organisation) -> QuerySet[ProbeRun]:
    """Probe runs, newest first."""
    return ProbeRun.objects.filter(organisation=org)


# A verdict older than this is not shown as the rule's state: a firewall changed since may
# no longer hold. A sensor probes its zone every hour (SENSOR_PROBE_MINUTES).
VERDICT_MAX_AGE = timedelta(days=7)


def latest_verdicts(org: Organisation, now: datetime) -> list[tuple[int, str]]:
    """(rule index, verdict) from the latest probe run, within VERDICT_MAX_AGE of ``now``,
    that tested the rule now at that index. A verdict stored for another rule (the policy
    was edited since) or too old does not count: the rule shows as untested."""
    policy = policy_of(org)
    if policy is None:
        return []
    current = {rule.index: _rule_key(rule) for rule in policy.rules}
    seen: dict[int, str] = {}
    runs = ProbeRun.objects.filter(organisation=org, ran_at__gte=now - VERDICT_MAX_AGE)
    for run in runs.order_by("ran_at", "id"):
        for verdict in run.verdicts:
            index = int(verdict["rule"])
            stored = tuple(verdict.get(key) for key in ("from", "to", "action", "ports"))
            if current.get(index) == stored:
                seen[index] = str(verdict["verdict"])
    return list(seen.items())


def _rule_key(rule: Rule) -> tuple[str, str, str, Any]:
    """A rule as do_record_probe stores it in a verdict."""
    ports = list(rule.ports) if rule.ports else "any"
    return (rule.source, rule.destination, rule.action, ports)


def known_hosts(org: Organisation) -> dict[str, list[int]]:
    """Open TCP ports per address from the latest scan of each network."""
    known: dict[str, list[int]] = {}
    for latest in latest_scans(org):
        for address in latest.hosts_up:
            known.setdefault(address, [])
        for finding in Finding.objects.filter(scan=latest, proto="tcp"):
            known.setdefault(finding.address, []).append(finding.port)
    return known


def plan_for_zone(org: Organisation, zone: str) -> tuple[Policy, ProbePlan]:
    """What a probe in `zone` must test; refuses a plan that leaves the registered networks."""
    policy = policy_of(org)
    if policy is None:
        raise UserError("no_policy", _("This organisation has no segmentation policy yet."))
    try:
        plan = plan_probe(policy, zone, known_hosts(org))
    except PolicyError as error:
        raise UserError("bad_zone", str(error)) from None
    registered = [n.cidr for n in Network.objects.filter(organisation=org)]
    addresses = sorted({address for address, _port in plan.endpoints()})
    if addresses:
        try:
            check_scope(addresses, registered)
        except OutOfScope as refused:
            raise UserError(
                "out_of_scope",
                _("The policy points at %(target)s, which is not in a registered network.")
                % {"target": refused.target},
                status=403,
            ) from None
    return policy, plan
