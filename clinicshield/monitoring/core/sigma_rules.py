"""Sigma rules compiled to Ibis predicates over ``process`` events.

pySigma parses each rule (YAML, modifiers, ``1 of selection_*``, placeholders) into a tree
of conditions; this module walks that tree and builds one Ibis boolean expression per
rule, so the same rule runs on DuckDB and on Spark. Why not a pySigma backend: see
docs/decisions/sigma-on-ibis.md.

Matching follows the Sigma specification: strings compare case-insensitively unless the
rule says ``|cased``; ``*`` and ``?`` are wildcards; a field the event lacks never matches,
so ``not selection`` is true for it.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import yaml
from sigma import types as st
from sigma.collection import SigmaCollection
from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.rule import SigmaRule

CONTENT_PACK = Path(__file__).resolve().parent.parent / "content" / "sigma"

# Sigma field names (Sysmon / Windows spelling) -> columns of the process schema.
FIELD_COLUMNS = {
    "image": "image",
    "newprocessname": "image",
    "commandline": "command_line",
    "processcommandline": "command_line",
    "parentimage": "parent_image",
    "parentprocessname": "parent_image",
    "parentcommandline": "parent_command_line",
    "targetobject": "target_object",
    "objectname": "target_object",
    "details": "details",
    "eventtype": "event_type",
    "user": "user",
    "subjectusername": "user",
    "computer": "host",
    "computername": "host",
}

# Sigma log source category -> which process events it reads (event_code values).
CATEGORY_EVENTS: dict[str, tuple[str, ...]] = {
    "process_creation": ("sysmon:1", "4688"),
    "registry_event": ("sysmon:12", "sysmon:13", "sysmon:14"),
    "registry_add": ("sysmon:12",),
    "registry_delete": ("sysmon:12",),
    "registry_set": ("sysmon:13",),
    "registry_rename": ("sysmon:14",),
}
CATEGORY_EVENT_TYPES = {
    "registry_add": ("CreateKey",),
    "registry_delete": ("DeleteKey", "DeleteValue"),
}


class UnsupportedRule(ValueError):
    """A rule uses something the process store cannot evaluate; the reason says what."""


@dataclass(frozen=True)
class RuleProblem:
    path: str
    message: str


@dataclass(frozen=True)
class CompiledRule:
    id: str
    title: str
    level: str
    category: str
    path: str
    pack: str  # "clickfix" for rules about ClickFix/FileFix, else "sigma"
    rule: SigmaRule = field(repr=False, compare=False)

    def matches(self, events: ir.Table) -> ir.BooleanValue:
        """The rule as one Ibis boolean over ``events`` (log source filter included)."""
        return _logsource_filter(events, self.category) & _compile(
            self.rule.detection.parsed_condition[0].parsed, events
        )


@dataclass
class RuleSet:
    rules: list[CompiledRule] = field(default_factory=list)
    problems: list[RuleProblem] = field(default_factory=list)


def load_rules(paths: list[Path | str], include_pack: bool = True) -> RuleSet:
    """Our ClickFix pack plus every rule file under ``paths`` (files or folders).

    Files that are not rules (regression test descriptions, configs) are skipped; rules that
    do not parse or cannot run on process events are reported in ``problems``, never raised.
    """
    ruleset = RuleSet()
    sources = ([CONTENT_PACK] if include_pack else []) + [Path(p) for p in paths]
    for source in sources:
        if not source.exists():
            ruleset.problems.append(RuleProblem(str(source), "no such file or folder"))
            continue
        files = (
            [source]
            if source.is_file()
            else sorted([*source.rglob("*.yml"), *source.rglob("*.yaml")])
        )
        for path in files:
            _load_file(path, ruleset, from_pack=source == CONTENT_PACK)
    return ruleset


def _load_file(path: Path, ruleset: RuleSet, from_pack: bool) -> None:
    try:
        text = path.read_text(encoding="utf-8")
        documents = list(yaml.safe_load_all(text))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        ruleset.problems.append(RuleProblem(str(path), f"cannot read YAML: {error}"))
        return
    if not any(isinstance(doc, dict) and "detection" in doc for doc in documents):
        return  # not a rule: a regression test description, a config, a README in YAML
    collection = SigmaCollection.from_yaml(
        text, collect_errors=True, source=st.SigmaRuleLocation(path)
    )
    for rule in collection.rules:
        if not isinstance(rule, SigmaRule):
            continue
        if rule.errors:
            ruleset.problems.append(RuleProblem(str(path), "; ".join(str(e) for e in rule.errors)))
            continue
        try:
            ruleset.rules.append(_compiled(rule, path, from_pack))
        except UnsupportedRule as error:
            ruleset.problems.append(RuleProblem(str(path), str(error)))


def _compiled(rule: SigmaRule, path: Path, from_pack: bool) -> CompiledRule:
    category = rule.logsource.category or ""
    if category not in CATEGORY_EVENTS:
        raise UnsupportedRule(
            f"log source category {category or '(none)'!r} is not in the process store"
        )
    if rule.logsource.product not in (None, "windows"):
        raise UnsupportedRule(f"product {rule.logsource.product!r} is not collected")
    if len(rule.detection.parsed_condition) != 1:
        raise UnsupportedRule("rules with several conditions are not supported")
    # Compile once against an empty table now, so a rule that cannot run fails at load time.
    from .schema import PROCESS

    _compile(
        rule.detection.parsed_condition[0].parsed, ibis.table(ibis.schema(PROCESS), name="probe")
    )
    about = f"{rule.title} {rule.description or ''}".lower()
    clickfix = from_pack or any(word in about for word in ("clickfix", "filefix", "runmru"))
    return CompiledRule(
        id=str(rule.id or ""),
        title=rule.title,
        level=str(rule.level.name.lower() if rule.level else "medium"),
        category=category,
        path=str(path),
        pack="clickfix" if clickfix else "sigma",
        rule=rule,
    )


def _logsource_filter(events: ir.Table, category: str) -> ir.BooleanValue:
    condition = events.event_code.isin(list(CATEGORY_EVENTS[category]))
    if category in CATEGORY_EVENT_TYPES:
        condition = condition & events.event_type.isin(list(CATEGORY_EVENT_TYPES[category]))
    return condition.fill_null(False)


def _compile(node: Any, events: ir.Table) -> ir.BooleanValue:
    if isinstance(node, ConditionAND):
        return ibis.and_(*[_compile(arg, events) for arg in node.args])
    if isinstance(node, ConditionOR):
        return ibis.or_(*[_compile(arg, events) for arg in node.args])
    if isinstance(node, ConditionNOT):
        return ~_compile(node.args[0], events)
    if isinstance(node, ConditionFieldEqualsValueExpression):
        return _match(_column(events, node.field), node.value).fill_null(False)
    if isinstance(node, ConditionValueExpression):
        # A keyword: matches anywhere in the raw event, as full-text search does.
        value = node.value
        if isinstance(value, st.SigmaString) and not value.contains_special():
            return events.raw.lower().contains(value.to_plain().lower()).fill_null(False)
        return _match(events.raw, value).fill_null(False)
    raise UnsupportedRule(f"condition element {type(node).__name__} is not supported")


def _column(events: ir.Table, name: str) -> ir.StringValue:
    if name is None:
        raise UnsupportedRule("field-less condition")
    mapped = FIELD_COLUMNS.get(name.lower())
    if mapped:
        return events[mapped]
    if name.lower() == "eventid":
        return events.event_code.re_extract(r"(\d+)$", 1)
    # Any other field is looked up in the raw event JSON: top level, then Windows EventData.
    raw = events.raw.cast("json")
    return ibis.coalesce(raw[name].str, raw["EventData"][name].str)


def _match(column: ir.StringValue, value: Any) -> ir.BooleanValue:
    if isinstance(value, st.SigmaExpansion):
        return ibis.or_(*[_match(column, item) for item in value.values])
    if isinstance(value, st.SigmaString):
        return _match_string(column, value)
    if isinstance(value, st.SigmaRegularExpression):
        return _match_regex(column, value)
    if isinstance(value, st.SigmaNull):
        return column.isnull() | (column == "")
    if isinstance(value, st.SigmaExists):
        return column.notnull() if value.exists else column.isnull()
    if isinstance(value, st.SigmaBool):
        return column.lower() == ("true" if value.boolean else "false")
    if isinstance(value, st.SigmaNumber):
        return column.cast("string") == str(value.number)
    if isinstance(value, st.SigmaCIDRExpression):
        return ibis.or_(*[column.startswith(prefix.rstrip("*")) for prefix in value.expand()])
    if isinstance(value, st.SigmaCompareExpression):
        return _compare(column.cast("float64"), value)
    raise UnsupportedRule(f"value type {type(value).__name__} is not supported")


def _match_string(column: ir.StringValue, value: st.SigmaString) -> ir.BooleanValue:
    if value.contains_placeholder():
        raise UnsupportedRule("placeholders (%name%) need a processing pipeline")
    cased = isinstance(value, st.SigmaCasedString)
    subject = column if cased else column.lower()
    parts = [part if not isinstance(part, str) or cased else part.lower() for part in value.s]
    multi, single = st.SpecialChars.WILDCARD_MULTI, st.SpecialChars.WILDCARD_SINGLE
    inner = parts[1:-1] if len(parts) > 2 else []
    if single not in parts and multi not in inner:
        # The common shapes (equals, contains, startswith, endswith) avoid regex entirely.
        starts, ends = parts[:1] == [multi], parts[-1:] == [multi] and len(parts) > 1
        text = "".join(p for p in parts if isinstance(p, str))
        if starts and ends:
            return subject.contains(text)
        if starts:
            return subject.endswith(text)
        if ends:
            return subject.startswith(text)
        return subject == text
    pieces = []
    for part in parts:
        if part == multi:
            pieces.append(r"[\s\S]*")
        elif part == single:
            pieces.append(r"[\s\S]")
        else:
            pieces.append(re.escape(str(part)))
    return subject.re_search("^" + "".join(pieces) + "$")


def _match_regex(column: ir.StringValue, value: st.SigmaRegularExpression) -> ir.BooleanValue:
    flags = {
        st.SigmaRegularExpressionFlag.IGNORECASE: "i",
        st.SigmaRegularExpressionFlag.MULTILINE: "m",
        st.SigmaRegularExpressionFlag.DOTALL: "s",
    }
    inline = "".join(sorted(flags[flag] for flag in value.flags))
    # str() first: adding a str to pySigma's SigmaString parses the str as Sigma text, which
    # turns the '?' of "(?i)" into an escaped literal and the rule would never match.
    pattern = (f"(?{inline})" if inline else "") + str(value.regexp)
    return column.re_search(pattern)


def _compare(column: ir.FloatingValue, value: st.SigmaCompareExpression) -> ir.BooleanValue:
    number = float(value.number.number)
    operators = st.SigmaCompareExpression.CompareOperators
    comparisons = {
        operators.LT: column < number,
        operators.LTE: column <= number,
        operators.GT: column > number,
        operators.GTE: column >= number,
        operators.NEQ: column != number,
    }
    return comparisons[value.op]
