"""Every sentence of the exposure app built in Python: reason and verdict codes, matrix labels,
scope refusals, the advice of the knowledge base and the drift timeline, in the reader's
language."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicshield.lib.language import current_language

from .core.knowledge import lookup
from .models import Change, Finding

REASONS = {
    "expected_in_zone": gettext_lazy("expected in this zone"),
    "critical_in_zone": gettext_lazy("critical in, or reachable from, this zone"),
    "base": gettext_lazy("should not be open here"),
    "unknown_port": gettext_lazy("not in the knowledge base: check what it is"),
    "dicom_open_to_anyone": gettext_lazy("the DICOM service accepts any caller"),
    "snmp_default_community": gettext_lazy("answers a default SNMP community"),
}
MATRIX_LABELS = {
    "allowed": gettext_lazy("Allowed and reachable"),
    "blocked": gettext_lazy("Blocked, as the policy says"),
    "violated": gettext_lazy("Violated"),
    "inconclusive": gettext_lazy("Inconclusive (the positive control failed)"),
    "untested": gettext_lazy("Rule not tested yet"),
    "none": gettext_lazy("No rule"),
}
SCOPE_REFUSALS = {
    "not_registered": gettext_lazy(
        "%(target)s is not inside any network registered for this organisation; "
        "register it first (clinicshield networks add)."
    ),
    "bad_target": gettext_lazy(
        "%(target)s is not an IP address, a CIDR block or a range like 10.0.0.5-20."
    ),
    "too_many_hosts": gettext_lazy(
        "Too many addresses in one scan (at %(target)s); scan at most a /16."
    ),
    "no_networks": gettext_lazy(
        "This organisation has no registered networks; nothing may be scanned."
    ),
}
VERDICT_REASONS = {
    "answered": gettext_lazy("a host answered where the policy says it must be blocked"),
    "nothing_answered": gettext_lazy("nothing answered, and the positive control was reached"),
    "control_failed": gettext_lazy(
        "the positive control was not reached: the probe proves nothing"
    ),
    "no_control": gettext_lazy("no positive control for this zone: add one to the policy"),
    "no_known_hosts": gettext_lazy(
        "no known host in the destination zone: scan it or list targets"
    ),
    "blocked": gettext_lazy("blocked although the policy allows it"),
    "reached": gettext_lazy("reached, as the policy allows"),
    "not_checked": gettext_lazy(
        "not verified: some hosts or ports could not be tested (no route, host down, "
        "or the probe did not report them)"
    ),
}


def scope_refusal(code: str, target: str) -> str:
    """Why a target may not be scanned (a code of core.scope's OutOfScope)."""
    return str(SCOPE_REFUSALS[code] % {"target": target})


def verdict_reason(reason: str) -> str:
    """Why a segmentation rule got its verdict (a code of core.segmentation)."""
    return str(VERDICT_REASONS.get(reason, reason))


def advice_for(finding: Finding) -> dict[str, str]:
    """Service name, why it matters and what to do, in the current language."""
    if finding.reason == "dicom_open_to_anyone":
        entry = lookup(finding.port) or lookup(104)
    elif finding.reason == "snmp_default_community":
        entry = lookup(161, "udp")
    else:
        entry = lookup(finding.port, finding.proto)
    if entry is None:
        return {
            "name": finding.service,
            "risk": _("An open port we have no clinic-specific knowledge about."),
            "advice": _("Find out which program listens here; close it if nobody needs it."),
        }
    lang = current_language()
    return {"name": entry.name[lang], "risk": entry.risk[lang], "advice": entry.advice[lang]}


def finding_row(finding: Finding) -> dict[str, Any]:
    """One open port as the CLI's JSON object and the web's table row."""
    words = advice_for(finding)
    return {
        "host": finding.address,
        "port": finding.port,
        "proto": finding.proto,
        "service": finding.service,
        "product": finding.product,
        "risk": finding.severity,
        "why": str(REASONS.get(finding.reason, finding.reason)),
        "advice": words["advice"],
        "change": finding.change,
        "zone": finding.scan.network.zone,
        "scan": finding.scan_id,
    }


def change_sentence(change: Change) -> str:
    facts = {
        "address": change.address,
        "port": change.port,
        "proto": change.proto,
        "before": change.before,
        "after": change.after,
    }
    sentences = {
        "new_port": _("%(address)s: port %(port)s/%(proto)s is newly open %(after)s"),
        "closed_port": _("%(address)s: port %(port)s/%(proto)s is no longer open"),
        "new_host": _("%(address)s appeared on the network"),
        "gone_host": _("%(address)s no longer answers"),
        "changed_service": _("%(address)s: port %(port)s changed from %(before)s to %(after)s"),
    }
    return (sentences[change.kind] % facts).strip()
