"""Which ClinicShield activity gives evidence for which requirement, and what is still missing.

The references are the regulations' own identifiers and are not translated; what each
requirement asks and each gap's sentence are written in the Django layer, through gettext.
The mapping is our reading of the texts (45 CFR Part 164 Subpart C, GDPR art. 32 and the
HHS 405(d) "Health Industry Cybersecurity Practices"); it tells an auditor where to look, it
does not certify anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

COVERED, PARTIAL, MISSING = "covered", "partial", "missing"

# Activities: the score's components plus "reports" (the kept score history and reports).
ACTIVITIES = ("training", "simulations", "exposure", "monitoring", "drills", "protocols", "reports")


@dataclass(frozen=True)
class Requirement:
    code: str
    framework: str  # "HIPAA", "GDPR", "HICP"
    reference: str
    activities: tuple[str, ...]
    # What lies outside ClinicShield, so the requirement can never be fully covered by it alone.
    outside: str = ""


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        "hipaa_308a1", "HIPAA", "45 CFR §164.308(a)(1)", ("exposure", "monitoring", "reports")
    ),
    Requirement(
        "hipaa_308a5", "HIPAA", "45 CFR §164.308(a)(5)", ("training", "simulations", "monitoring")
    ),
    Requirement(
        "hipaa_308a6", "HIPAA", "45 CFR §164.308(a)(6)", ("protocols", "drills", "monitoring")
    ),
    Requirement("hipaa_312b", "HIPAA", "45 CFR §164.312(b)", ("monitoring",)),
    Requirement("gdpr_32_1b", "GDPR", "GDPR art. 32(1)(b)", ("monitoring", "exposure")),
    Requirement(
        "gdpr_32_1d", "GDPR", "GDPR art. 32(1)(d)", ("simulations", "drills", "exposure", "reports")
    ),
    Requirement("gdpr_32_4", "GDPR", "GDPR art. 32(4)", ("training",)),
    Requirement(
        "hicp_1", "HICP", "405(d) HICP practice 1", ("simulations", "training"), "mail_filtering"
    ),
    Requirement("hicp_2", "HICP", "405(d) HICP practice 2", ("monitoring",), "endpoint_tools"),
    Requirement("hicp_3", "HICP", "405(d) HICP practice 3", ("monitoring",), "identity_controls"),
    Requirement(
        "hicp_4", "HICP", "405(d) HICP practice 4", ("monitoring", "training"), "encryption_backups"
    ),
    Requirement("hicp_5", "HICP", "405(d) HICP practice 5", ("exposure",), "asset_register"),
    Requirement("hicp_6", "HICP", "405(d) HICP practice 6", ("exposure",)),
    Requirement("hicp_7", "HICP", "405(d) HICP practice 7", ("exposure",), "patching"),
    Requirement("hicp_8", "HICP", "405(d) HICP practice 8", ("monitoring", "protocols", "drills")),
    Requirement("hicp_9", "HICP", "405(d) HICP practice 9", ("exposure",), "device_inventory"),
    Requirement("hicp_10", "HICP", "405(d) HICP practice 10", ("reports", "training", "protocols")),
)


@dataclass(frozen=True)
class RequirementStatus:
    requirement: Requirement
    status: str
    activities: tuple[tuple[str, str], ...]  # (activity, covered|partial|missing)
    gaps: tuple[str, ...]  # activities missing or partial, then the outside-scope code


def activity_status(status: str, points: float, weight: int) -> str:
    """A score component's state as evidence: measured and at least half its points = covered."""
    if status == "not_set_up":
        return MISSING
    return COVERED if points >= 0.5 * weight else PARTIAL


def assess(activity_states: Mapping[str, str]) -> list[RequirementStatus]:
    """Every requirement's status from each activity's status (a missing key counts as missing)."""
    result = []
    for requirement in REQUIREMENTS:
        states = tuple((a, activity_states.get(a, MISSING)) for a in requirement.activities)
        values = {state for _a, state in states}
        if values == {COVERED}:
            status = PARTIAL if requirement.outside else COVERED
        elif values == {MISSING}:
            status = MISSING
        else:
            status = PARTIAL
        gaps = tuple(a for a, state in states if state != COVERED)
        if requirement.outside:
            gaps += (requirement.outside,)
        result.append(RequirementStatus(requirement, status, states, gaps))
    return result
