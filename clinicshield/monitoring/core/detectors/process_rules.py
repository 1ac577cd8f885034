"""clickfix and sigma: Sigma rules run over ``process`` events (process starts, registry writes).

All rules run in a few queries (rules are batched into unions), and the events several
rules match are reported once, naming every rule. Each finding carries the command line
(or the registry value) that matched, so a ClickFix simulation can be recognised by its
token before anyone is alarmed.
"""

import hashlib
from typing import Any

import ibis
import ibis.expr.types as ir

from ..sigma_rules import CompiledRule
from ._rows import fetch, text
from .context import DetectionContext
from .events import between
from .findings import SEVERITIES, Finding

RULES_PER_QUERY = 100
EVIDENCE_COLUMNS = ("image", "parent_image", "target_object", "details", "event_code", "event_type")
LEVELS = {
    "informational": "low",
    "low": "low",
    "medium": "medium",
    "high": "high",
    "critical": "critical",
}


def detect_process_rules(con: Any, process: ir.Table, ctx: DetectionContext) -> list[Finding]:
    rules = list(ctx.sigma_rules)
    if not rules:
        return []
    window = between(process, ctx.start, ctx.end)
    rows: list[dict[str, Any]] = []
    for offset in range(0, len(rules), RULES_PER_QUERY):
        batch = rules[offset : offset + RULES_PER_QUERY]
        matched = [
            window.filter(rule.matches(window)).mutate(rule_index=ibis.literal(offset + index))
            for index, rule in enumerate(batch)
        ]
        rows += fetch(con, ibis.union(*matched, distinct=False))
    return _group(rows, rules)


def matched_text(row: dict[str, Any]) -> str:
    """What the user ran: the command line, or for a registry write the value written."""
    return (
        text(row.get("command_line")) or text(row.get("details")) or text(row.get("target_object"))
    )


def _group(rows: list[dict[str, Any]], rules: list[CompiledRule]) -> list[Finding]:
    findings: dict[str, Finding] = {}
    seen_events: dict[str, set[str]] = {}
    # A command any ClickFix rule matched is a ClickFix finding, whichever rule comes first.
    clickfix_commands = {matched_text(r) for r in rows if rules[r["rule_index"]].pack == "clickfix"}
    for row in sorted(rows, key=lambda r: r["ts"]):
        rule = rules[row["rule_index"]]
        command = matched_text(row)
        digest = hashlib.sha256(command.encode()).hexdigest()[:16]
        kind = "clickfix" if command in clickfix_commands else "sigma"
        key = f"{kind}:{text(row['host'])}:{text(row['user'])}:{digest}"
        event_id = f"{row['ts'].isoformat()}|{text(row['record_ref'])}"
        finding = findings.get(key)
        if finding is None:
            finding = findings[key] = _finding(kind, key, row, rule, command)
            seen_events[key] = set()
        _add_rule(finding, rule)
        if event_id not in seen_events[key]:
            if seen_events[key]:
                finding.count += 1
            seen_events[key].add(event_id)
            finding.last_seen = max(finding.last_seen, row["ts"])
            refs = finding.evidence["record_refs"]
            if len(refs) < 20:
                refs.append(text(row["record_ref"]))
    return list(findings.values())


def _finding(kind: str, key: str, row: dict[str, Any], rule: CompiledRule, command: str) -> Finding:
    # The rule's level, for ClickFix too: our pack keeps some Run-dialog traces at medium on
    # purpose (a share on a public-looking host name is unusual, not an attack by itself).
    severity = LEVELS.get(rule.level, "medium")
    evidence: dict[str, Any] = {"record_refs": [], "rules": []}
    evidence.update({name: text(row.get(name)) for name in EVIDENCE_COLUMNS})
    return Finding(
        kind=kind,
        severity=severity,
        key=key,
        code=kind,
        params={
            "rule_title": rule.title,
            "rule_id": rule.id,
            "host": text(row["host"]),
            "user": text(row["user"]),
            "command_line": command[:500],
        },
        first_seen=row["ts"],
        last_seen=row["ts"],
        count=1,
        user=text(row["user"]),
        host=text(row["host"]),
        evidence=evidence,
        command_line=command,
    )


def _add_rule(finding: Finding, rule: CompiledRule) -> None:
    listed = finding.evidence["rules"]
    if any(item["id"] == rule.id and item["title"] == rule.title for item in listed):
        return
    listed.append({"id": rule.id, "title": rule.title, "level": rule.level, "path": rule.path})
    severity = LEVELS.get(rule.level, "medium")
    if SEVERITIES.index(severity) > SEVERITIES.index(finding.severity):
        finding.severity = severity
