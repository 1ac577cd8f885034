"""Segmentation policy: zones with CIDRs, rules between them, and their verdicts.

A policy (YAML, also edited in the web UI):

    zones:
      guest: [192.0.2.0/24]
      lab: [198.51.100.0/25]
    controls:                       # positive controls: what a probe in the zone must reach
      guest: ["192.0.2.1:53"]
    targets:                        # optional hosts to test per zone (else: hosts seen by scans)
      lab: ["198.51.100.10"]
    rules:
      - {from: guest, to: lab, action: block, ports: any}
      - {from: clinical, to: ehr, action: allow, ports: [443]}

A "block" rule is held only when nothing answered *and* a positive control from the same
zone was reached: a probe with a broken network would otherwise report every block as
held. Allow rules double as positive controls. An endpoint the probe did not report, or
could not reach (no route, host down), tested nothing: its rule is inconclusive.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

ACTIONS = ("allow", "block")
# Ports tried for "ports: any", on top of the ports scans found open on the targets.
ANY_PORTS = (22, 80, 104, 135, 139, 443, 445, 1433, 2575, 3306, 3389, 5432, 5900, 8080, 9100, 11112)
MAX_TARGETS_PER_RULE = 16
REACHED = frozenset({"open", "refused"})
# The state of an endpoint the probe did not report (its prober failed or stopped early).
NOT_CHECKED = "not_checked"
# States that test nothing: the probe never reached the destination (no route, host down)
# or never reported it. Silence from a firewall that drops is "filtered".
UNCHECKED = frozenset({"unreachable", NOT_CHECKED})

HELD, VIOLATED, INCONCLUSIVE, UNTESTED = "held", "violated", "inconclusive", "untested"


class PolicyError(ValueError):
    """The policy text is invalid; the message says which part."""


@dataclass(frozen=True)
class Rule:
    index: int
    source: str
    destination: str
    action: str
    ports: tuple[int, ...] | None  # None means any port


@dataclass
class Policy:
    zones: dict[str, list[ipaddress.IPv4Network | ipaddress.IPv6Network]]
    rules: list[Rule]
    controls: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    targets: dict[str, list[str]] = field(default_factory=dict)


def _endpoint(text: str, where: str) -> tuple[str, int]:
    host, _, port = str(text).rpartition(":")
    try:
        ipaddress.ip_address(host.strip("[]"))
        number = int(port)
    except ValueError:
        raise PolicyError(f"{where}: '{text}' is not address:port") from None
    if not 1 <= number <= 65535:
        raise PolicyError(f"{where}: port {number} is outside 1-65535")
    return host.strip("[]"), number


def _rule(raw: Any, index: int, zones: Mapping[str, object]) -> Rule:
    where = f"rules[{index}]"
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: expected a mapping with from, to, action, ports")
    for key in ("from", "to"):
        if raw.get(key) not in zones:
            raise PolicyError(f"{where}: '{key}: {raw.get(key)}' is not a zone of this policy")
    action = raw.get("action", "block")
    if action not in ACTIONS:
        raise PolicyError(f"{where}: action '{action}' must be allow or block")
    ports_raw = raw.get("ports", "any")
    ports: tuple[int, ...] | None = None
    if ports_raw != "any":
        values = ports_raw if isinstance(ports_raw, list) else [ports_raw]
        try:
            ports = tuple(int(p) for p in values)
        except (TypeError, ValueError):
            raise PolicyError(f"{where}: ports must be 'any' or a list of numbers") from None
        if not ports or any(not 1 <= p <= 65535 for p in ports):
            raise PolicyError(f"{where}: ports must be within 1-65535")
    return Rule(index, str(raw["from"]), str(raw["to"]), str(action), ports)


def parse_policy(text: str) -> Policy:
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "the text"
        raise PolicyError(f"{where}: not valid YAML") from None
    if not isinstance(document, dict):
        raise PolicyError("the policy must be a mapping with zones and rules")
    zones: dict[str, list[Any]] = {}
    for name, cidrs in (document.get("zones") or {}).items():
        try:
            zones[str(name)] = [ipaddress.ip_network(c, strict=False) for c in (cidrs or [])]
        except ValueError:
            raise PolicyError(f"zones.{name}: {cidrs} is not a list of CIDRs") from None
    if not zones:
        raise PolicyError("zones: the policy has no zones")
    rules = [_rule(raw, i, zones) for i, raw in enumerate(document.get("rules") or [])]
    controls = {
        str(zone): [_endpoint(e, f"controls.{zone}") for e in (entries or [])]
        for zone, entries in (document.get("controls") or {}).items()
    }
    targets = {
        str(z): [str(a) for a in (v or [])] for z, v in (document.get("targets") or {}).items()
    }
    for zone in list(controls) + list(targets):
        if zone not in zones:
            raise PolicyError(f"controls/targets: '{zone}' is not a zone of this policy")
    return Policy(zones, rules, controls, targets)


def zone_of(address: str, policy: Policy) -> str | None:
    ip = ipaddress.ip_address(address)
    for name, networks in policy.zones.items():
        if any(ip.version == n.version and ip in n for n in networks):
            return name
    return None


@dataclass
class ProbePlan:
    zone: str
    checks: dict[int, list[tuple[str, int]]]  # rule index -> (address, port) pairs
    controls: list[tuple[str, int]]
    untestable: list[int]  # rules with no known host to test

    def endpoints(self) -> list[tuple[str, int]]:
        pairs = {pair for pairs in self.checks.values() for pair in pairs} | set(self.controls)
        return sorted(pairs)


def plan_probe(
    policy: Policy, zone: str, known_hosts: Mapping[str, Sequence[int]] | None = None
) -> ProbePlan:
    """What to test from `zone`. `known_hosts`: address -> open ports seen by scans."""
    if zone not in policy.zones:
        raise PolicyError(f"'{zone}' is not a zone of this policy ({', '.join(policy.zones)})")
    known = dict(known_hosts or {})
    plan = ProbePlan(zone, {}, list(policy.controls.get(zone, [])), [])
    for rule in policy.rules:
        if rule.source != zone:
            continue
        hosts = policy.targets.get(rule.destination) or [
            address for address in known if zone_of(address, policy) == rule.destination
        ]
        hosts = hosts[:MAX_TARGETS_PER_RULE]
        if not hosts:
            plan.untestable.append(rule.index)
            continue
        pairs = []
        for host in hosts:
            ports = rule.ports or tuple(sorted(set(ANY_PORTS) | set(known.get(host, ()))))
            pairs += [(host, port) for port in ports]
        plan.checks[rule.index] = pairs
    return plan


@dataclass
class Verdict:
    rule: Rule
    verdict: str
    reason: str  # nothing_answered, answered, control_failed, no_control, no_known_hosts, ...
    evidence: list[tuple[str, int, str]]


def evaluate(
    policy: Policy, plan: ProbePlan, states: Mapping[tuple[str, int], str]
) -> list[Verdict]:
    """Turn probe results into one verdict per rule of the zone."""
    allow_reached = any(
        states.get(pair) in REACHED
        for rule in policy.rules
        if rule.action == "allow" and rule.index in plan.checks
        for pair in plan.checks[rule.index]
    )
    control_reached = any(states.get(pair) in REACHED for pair in plan.controls) or allow_reached
    has_control = bool(plan.controls) or any(
        r.action == "allow" and r.index in plan.checks for r in policy.rules
    )
    verdicts = []
    for rule in policy.rules:
        if rule.source != plan.zone:
            continue
        if rule.index in plan.untestable:
            verdicts.append(Verdict(rule, UNTESTED, "no_known_hosts", []))
            continue
        evidence = [(a, p, states.get((a, p), NOT_CHECKED)) for a, p in plan.checks[rule.index]]
        verdicts.append(_judge(rule, evidence, has_control, control_reached))
    return verdicts


def _judge(
    rule: Rule, evidence: list[tuple[str, int, str]], has_control: bool, control_reached: bool
) -> Verdict:
    if rule.action == "block":
        opened = [e for e in evidence if e[2] == "open"]
        if opened:
            return Verdict(rule, VIOLATED, "answered", opened)
        if not has_control:
            return Verdict(rule, INCONCLUSIVE, "no_control", evidence)
        if not control_reached:
            return Verdict(rule, INCONCLUSIVE, "control_failed", evidence)
        unchecked = [e for e in evidence if e[2] in UNCHECKED]
        if unchecked:
            return Verdict(rule, INCONCLUSIVE, NOT_CHECKED, unchecked)
        return Verdict(rule, HELD, "nothing_answered", [e for e in evidence if e[2] == "refused"])
    blocked = [e for e in evidence if e[2] not in REACHED]
    unreported = [e for e in blocked if e[2] == NOT_CHECKED]
    if unreported:
        return Verdict(rule, INCONCLUSIVE, NOT_CHECKED, unreported)
    if blocked:
        return Verdict(rule, VIOLATED, "blocked", blocked)
    return Verdict(rule, HELD, "reached", evidence)


# Matrix cell states, worst first: a violated rule outweighs held ones of the same pair.
CELL_ORDER = ("violated", "inconclusive", "untested", "allowed", "blocked", "none")


def matrix(policy: Policy, verdicts: Iterable[tuple[int, str]]) -> dict[tuple[str, str], str]:
    """(from, to) -> cell state, from rules and the latest verdict of each rule index."""
    latest = dict(verdicts)
    cells = {(a, b): "none" for a in policy.zones for b in policy.zones}
    for rule in policy.rules:
        verdict = latest.get(rule.index)
        if verdict == HELD:
            state = "allowed" if rule.action == "allow" else "blocked"
        elif verdict in (VIOLATED, INCONCLUSIVE):
            state = str(verdict)
        else:
            state = "untested"
        key = (rule.source, rule.destination)
        if CELL_ORDER.index(state) < CELL_ORDER.index(cells[key]):
            cells[key] = state
    return cells
