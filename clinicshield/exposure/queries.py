"""Reads of the exposure app, shared by pages, API, CLI, actions and due jobs; nothing here
writes.

- networks: the registered networks, and those whose scheduled scan is due;
- scans: recent scans;
- the current picture: for each address and port, what the newest scan that looked at it saw;
- site scans: which sites' sensors scan their networks, and what a site's sensor should run;
- findings and changes: what a set of scans found, a host's history, the drift timeline;
- segmentation: the stored policy, the latest verdicts, what a probe in a zone must test.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from clinicshield.accounts.models import Organisation, Site
from clinicshield.accounts.queries import live_site_tokens
from clinicshield.lib.errors import UserError

from .core.coverage import Coverage, targets_whole
from .core.scope import OutOfScope, check_scope
from .core.segmentation import Policy, PolicyError, ProbePlan, Rule, parse_policy, plan_probe
from .models import Change, Finding, Network, ProbeRun, Scan, SegmentationPolicy

# --- networks -------------------------------------------------------------------------------


def networks(org: Organisation) -> QuerySet[Network]:
    return Network.objects.filter(organisation=org).select_related("site")


def network_by_cidr(org: Organisation, cidr: str) -> Network | None:
    return Network.objects.filter(organisation=org, cidr=cidr).first()


def networks_holding(org: Organisation, address: str) -> list[Network]:
    """The registered networks an address belongs to (none for a malformed address)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return []
    return [n for n in networks(org) if ip in ipaddress.ip_network(n.cidr, strict=False)]


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


# --- the current picture --------------------------------------------------------------------

Key = tuple[str, int, str]  # address, port, proto


@dataclass
class Picture:
    """What is open now: for each address and port, the newest finished scan that looked at
    it decides (open, with that scan's finding; or closed; or its host down)."""

    findings: list[Finding]  # the open ports, each the finding of the scan that decides it
    hosts_up: set[str]  # addresses the newest scan that targeted them found up
    looked_at: set[Key]  # of the keys asked about: those some scan decided
    coverages: list[Coverage]  # of the scans read: what they targeted and asked

    def targeted(self, address: str) -> bool:
        """Whether a scan read for the picture targeted the address (its state is known)."""
        return any(coverage.targets(address) for coverage in self.coverages)


# Scans are read newest first, this many at a time (at least two per network still read),
# until every network is decided.
SCAN_BATCH = 64


def current_picture(
    org: Organisation,
    *,
    of: Iterable[Network] | None = None,
    before: Scan | None = None,
    asking: Iterable[Key] = (),
    severities: Collection[str] | None = None,
) -> Picture:
    """The current picture of the organisation's networks (or of `of`), as it stood before
    the scan `before` when given. `asking`: keys of the networks in `of` (one network) to
    decide even if no scan found them open (recording a scan asks whether an earlier scan
    looked at the ports it found). `severities`: only open ports of these severities are
    built into findings (the dashboard wants the risky ones of thousands).

    The work is bounded by what still decides something, not by the history's length. The
    database groups the findings into each (address, port, proto)'s newest finding in one
    query; then each network's scans are read newest first, in batches, only until every
    such key is decided (a newer scan looked at it, or its newest finding is reached: it is
    open) and every address of the network was targeted (its up or down state is decided).
    A network scanned whole on its usual ports stops at its newest whole scan; only a port
    no later scan asked (an "all" scan's, an import's) makes it read back to where it was
    seen.
    """
    networks = Network.objects.filter(organisation=org)
    if of is not None:
        networks = networks.filter(pk__in=[n.pk for n in of])
    findings = Finding.objects.filter(organisation=org, scan__network__in=networks)
    if before is not None:
        findings = findings.filter(scan_id__lt=before.pk)
    newest = findings.values("scan__network_id", "address", "port", "proto").annotate(
        last=Max("scan_id")
    )
    walks = {pk: _NetworkWalk(cidr) for pk, cidr in networks.values_list("pk", "cidr")}
    for row in newest:
        key = (row["address"], row["port"], row["proto"])
        walks[row["scan__network_id"]].undecided[key] = row["last"]
    for walk in walks.values():
        for key in asking:
            walk.undecided.setdefault(key, 0)
    _walk_scans(org, walks, before)
    return _picture_of(walks, severities)


@dataclass
class _NetworkWalk:
    """One network's scans, read newest first: what they decided so far."""

    cidr: str
    undecided: dict[Key, int] = field(default_factory=dict)  # key -> its newest finding's scan
    open_in: dict[Key, int] = field(default_factory=dict)  # open key -> the scan that found it
    deciding: dict[int, Scan] = field(default_factory=dict)  # the scans open_in names
    looked_at: set[Key] = field(default_factory=set)
    hosts_up: set[str] = field(default_factory=set)
    newer: list[Coverage] = field(default_factory=list)  # of the scans read so far
    whole: bool = False  # the scans read so far targeted every address

    @property
    def done(self) -> bool:
        return self.whole and not self.undecided

    def read(self, scan: Scan) -> None:
        if self.done:  # an older scan of a batch: nothing left for it to decide
            return
        coverage, up = scan.coverage, set(scan.hosts_up)
        for key, last in list(self.undecided.items()):
            if last == scan.pk:  # found open, and no newer scan looked at it
                self.open_in[key] = scan.pk
                self.deciding[scan.pk] = scan
            elif not coverage.looks_at(*key, up):
                continue
            self.looked_at.add(key)
            del self.undecided[key]
        self.hosts_up |= {a for a in up if not any(c.targets(a) for c in self.newer)}
        self.newer.append(coverage)
        self.whole = self.whole or targets_whole(self.newer, self.cidr)


def _walk_scans(org: Organisation, walks: dict[int, _NetworkWalk], before: Scan | None) -> None:
    """Feed each walk its network's finished scans, newest first, until it is done."""
    scans = Scan.objects.filter(organisation=org, status="done").only(
        "id", "network_id", "targets", "ports", "source", "hosts_up"
    )
    below = before.pk if before is not None else None
    while walking := [pk for pk, walk in walks.items() if not walk.done]:
        batch = scans.filter(network_id__in=walking)
        if below is not None:
            batch = batch.filter(id__lt=below)
        size = max(SCAN_BATCH, 2 * len(walking))
        read = list(batch.order_by("-id")[:size])
        for scan in read:
            walks[scan.network_id].read(scan)
        if len(read) < size:  # the history's end
            return
        below = read[-1].pk


def _picture_of(walks: dict[int, _NetworkWalk], severities: Collection[str] | None) -> Picture:
    # The deciding scans are at hand, and only the networks (with sites) of what is open
    # are read: each finding is given them, rather than the database joining and Django
    # building them once a row.
    deciding = {pk: scan for walk in walks.values() for pk, scan in walk.deciding.items()}
    findings = Finding.objects.filter(scan_id__in=list(deciding))
    if severities is not None:
        findings = findings.filter(severity__in=sorted(severities))
    open_now = []
    for found in findings:
        scan = deciding[found.scan_id]
        if walks[scan.network_id].open_in.get((found.address, found.port, found.proto)) == scan.pk:
            found.scan = scan
            open_now.append(found)
    needed = {found.scan.network_id for found in open_now}
    networks = Network.objects.filter(pk__in=needed).select_related("site").in_bulk()
    for scan in deciding.values():
        if scan.network_id in networks:
            scan.network = networks[scan.network_id]
    open_now.sort(key=lambda f: (_address_order(f.address), f.port, f.proto))
    return Picture(
        findings=open_now,
        hosts_up={a for walk in walks.values() for a in walk.hosts_up},
        looked_at={k for walk in walks.values() for k in walk.looked_at},
        coverages=[c for walk in walks.values() for c in walk.newer],
    )


def _address_order(address: str) -> tuple[int, int]:
    ip = ipaddress.ip_address(address)
    return (ip.version, int(ip))


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
    """Open TCP ports per address in the current picture, and the hosts up without any."""
    picture = current_picture(org)
    known: dict[str, list[int]] = {address: [] for address in picture.hosts_up}
    for finding in picture.findings:
        if finding.proto == "tcp":
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
