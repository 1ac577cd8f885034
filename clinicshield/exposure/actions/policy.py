"""Saving the segmentation policy of an organisation, and running and recording its probes."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicshield.accounts.actions import audit
from clinicshield.accounts.models import Organisation
from clinicshield.lib.errors import UserError

from ..core.probe import DEFAULT_TIMEOUT, probe
from ..core.segmentation import (
    NOT_CHECKED,
    Policy,
    PolicyError,
    ProbePlan,
    evaluate,
    parse_policy,
)
from ..models import ProbeRun, SegmentationPolicy
from ..queries import plan_for_zone


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
        controls=[[a, p, states.get((a, p), NOT_CHECKED)] for a, p in plan.controls],
    )


PROBE_STATES = frozenset({"open", "refused", "filtered", "unreachable"})


def do_record_reported_probe(
    org: Organisation, zone: str, reported: list[tuple[str, int, str]]
) -> ProbeRun:
    """Judge and store the (address, port, state) a sensor in ``zone`` reports."""
    bad = sorted({state for _address, _port, state in reported} - PROBE_STATES)
    if bad:
        raise UserError(
            "bad_state", _("Unknown probe states: %(states)s") % {"states": ", ".join(bad)}
        )
    policy, plan = plan_for_zone(org, zone)
    states = {(address, port): state for address, port, state in reported}
    return do_record_probe(org, zone, policy, plan, states)


def do_run_probe(org: Organisation, zone: str, timeout: float = DEFAULT_TIMEOUT) -> ProbeRun:
    """Test every rule from `zone` from this machine and store the verdicts."""
    policy, plan = plan_for_zone(org, zone)
    endpoints = plan.endpoints()
    states = probe(endpoints, timeout=timeout) if endpoints else {}
    return do_record_probe(org, zone, policy, plan, states)
