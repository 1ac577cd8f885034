import pytest

from clinicshield.exposure.core.matrix_svg import render_matrix
from clinicshield.exposure.core.segmentation import (
    PolicyError,
    evaluate,
    matrix,
    parse_policy,
    plan_probe,
)

POLICY = """
zones:
  guest: [10.213.9.0/24]
  lab: [10.213.8.0/24]
  ehr: [10.213.10.0/24]
controls:
  guest: ["10.213.9.1:53"]
rules:
  - {from: guest, to: lab, action: block, ports: any}
  - {from: guest, to: ehr, action: block, ports: [443]}
  - {from: lab, to: ehr, action: allow, ports: [443]}
"""


def test_it_plans_checks_for_the_rules_of_one_zone_with_its_controls() -> None:
    policy = parse_policy(POLICY)
    plan = plan_probe(policy, "guest", {"10.213.8.10": [8042], "10.213.10.5": [443]})
    assert plan.controls == [("10.213.9.1", 53)]
    assert ("10.213.8.10", 8042) in plan.checks[0]  # a port scans saw open is always tried
    assert ("10.213.8.10", 445) in plan.checks[0]
    assert plan.checks[1] == [("10.213.10.5", 443)]


def test_a_rule_without_known_hosts_is_untested() -> None:
    policy = parse_policy(POLICY)
    plan = plan_probe(policy, "guest", {})
    verdicts = evaluate(policy, plan, {("10.213.9.1", 53): "open"})
    assert [v.verdict for v in verdicts] == ["untested", "untested"]


def test_a_block_holds_only_when_the_positive_control_was_reached() -> None:
    policy = parse_policy(POLICY)
    plan = plan_probe(policy, "guest", {"10.213.8.10": [], "10.213.10.5": []})
    silent = {pair: "filtered" for pair in plan.endpoints()}
    verdicts = evaluate(policy, plan, silent)
    assert {(v.verdict, v.reason) for v in verdicts} == {("inconclusive", "control_failed")}
    reached = silent | {("10.213.9.1", 53): "refused"}
    assert {v.verdict for v in evaluate(policy, plan, reached)} == {"held"}


def test_an_open_port_across_a_blocked_path_is_a_violation_with_evidence() -> None:
    policy = parse_policy(POLICY)
    plan = plan_probe(policy, "guest", {"10.213.8.10": [], "10.213.10.5": []})
    states = {("10.213.9.1", 53): "open", ("10.213.8.10", 445): "open"}
    first = evaluate(policy, plan, states)[0]
    assert first.verdict == "violated"
    assert first.evidence == [("10.213.8.10", 445, "open")]


def test_an_allow_rule_is_violated_when_the_path_is_blocked() -> None:
    policy = parse_policy(POLICY)
    plan = plan_probe(policy, "lab", {"10.213.10.5": []})
    assert evaluate(policy, plan, {("10.213.10.5", 443): "filtered"})[0].verdict == "violated"
    assert evaluate(policy, plan, {("10.213.10.5", 443): "open"})[0].verdict == "held"


def test_the_matrix_shows_the_worst_verdict_per_zone_pair() -> None:
    policy = parse_policy(POLICY)
    cells = matrix(policy, [(0, "held"), (1, "violated"), (2, "held")])
    assert cells[("guest", "lab")] == "blocked"
    assert cells[("guest", "ehr")] == "violated"
    assert cells[("lab", "ehr")] == "allowed"
    assert cells[("ehr", "guest")] == "none"
    svg = render_matrix(list(policy.zones), cells, {"violated": "Violated <!>"})
    assert svg.startswith("<svg") and svg.count('data-state="violated"') == 1
    assert "Violated &lt;!&gt;" in svg  # labels are escaped


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("zones: {}", "no zones"),
        ("zones: {a: [nonsense]}", "zones.a"),
        ("zones: {a: [10.0.0.0/8]}\nrules: [{from: a, to: b}]", "rules\\[0\\]: 'to: b'"),
        ("zones: {a: [10.0.0.0/8]}\nrules: [{from: a, to: a, action: maybe}]", "allow or block"),
        ("zones: {a: [10.0.0.0/8]}\nrules: [{from: a, to: a, ports: [0]}]", "1-65535"),
        ("zones: {a: [10.0.0.0/8]}\ncontrols: {a: [10.0.0.1]}", "address:port"),
        ("zones: [\n", "line"),
    ],
)
def test_it_explains_what_is_wrong_with_a_policy(text: str, fragment: str) -> None:
    with pytest.raises(PolicyError, match=fragment):
        parse_policy(text)
