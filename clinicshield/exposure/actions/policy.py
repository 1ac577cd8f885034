"""The segmentation policy of an organisation, and running its probes from one zone."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicshield.accounts.actions import audit
from clinicshield.accounts.models import Organisation
from clinicshield.lib.errors import UserError

from ..core.probe import DEFAULT_TIMEOUT, probe
from ..core.scope import OutOfScope, check_scope
from ..core.segmentation import (
    Policy,
    PolicyError,
    ProbePlan,
    evaluate,
    parse_policy,
    plan_probe,
)
from ..models import Finding, Network, ProbeRun, SegmentationPolicy


def policy_of(org: Organisation) -> Policy | None:
    stored = SegmentationPolicy.objects.filter(organisation=org).first()
    return parse_policy(stored.text) if stored else None


def do_save_policy(org: Organisation, text: str, actor: Any) -> SegmentationPolicy:
    try:
        parse_policy(text)
    except PolicyError as error:
        raise UserError(
            "bad_policy", _("The policy is not valid: %(why)s") % {"why": error}
        ) from None
    with transaction.atomic():
        stored, _created = SegmentationPolicy.objects.update_or_create(
            organisation=org, defaults={"text": text, "updated_by": str(actor)}
        )
        audit(org, actor, "segmentation.save", "policy")
    return stored


def _known_hosts(org: Organisation) -> dict[str, list[int]]:
    """Open TCP ports per address from the latest scan of each network."""
    known: dict[str, list[int]] = {}
    for network in Network.objects.filter(organisation=org):
        latest = network.scans.filter(status="done").order_by("-id").first()
        if latest is None:
            continue
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
        plan = plan_probe(policy, zone, _known_hosts(org))
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


def do_record_probe(
    org: Organisation, zone: str, policy: Policy, plan: ProbePlan, states: dict[Any, str]
) -> ProbeRun:
    """Judge and store what a probe saw. States for endpoints outside the plan are ignored."""
    planned = set(plan.endpoints())
    states = {key: value for key, value in states.items() if key in planned}
    verdicts = evaluate(policy, plan, states)
    return ProbeRun.objects.create(
        organisation=org,
        zone=zone,
        ran_at=timezone.now(),
        verdicts=[
            {
                "rule": v.rule.index,
                "from": v.rule.source,
                "to": v.rule.destination,
                "action": v.rule.action,
                "ports": list(v.rule.ports) if v.rule.ports else "any",
                "verdict": v.verdict,
                "reason": v.reason,
                "evidence": [list(e) for e in v.evidence],
            }
            for v in verdicts
        ],
        controls=[[a, p, states.get((a, p), "filtered")] for a, p in plan.controls],
    )


def do_run_probe(org: Organisation, zone: str, timeout: float = DEFAULT_TIMEOUT) -> ProbeRun:
    """Test every rule from `zone` from this machine and store the verdicts."""
    policy, plan = plan_for_zone(org, zone)
    endpoints = plan.endpoints()
    states = probe(endpoints, timeout=timeout) if endpoints else {}
    return do_record_probe(org, zone, policy, plan, states)


def latest_verdicts(org: Organisation) -> list[tuple[int, str]]:
    """(rule index, verdict) from the latest probe run that tested each rule."""
    seen: dict[int, str] = {}
    for run in ProbeRun.objects.filter(organisation=org).order_by("ran_at", "id"):
        for verdict in run.verdicts:
            seen[int(verdict["rule"])] = str(verdict["verdict"])
    return list(seen.items())
