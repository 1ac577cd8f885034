"""Roles of a login user in an organisation, from least to most powerful."""

ROLES = ("viewer", "manager", "it", "owner")
MFA_REQUIRED_ROLES = frozenset({"owner", "it"})

# What each role may do, for the documentation and the role tests.
#   viewer:  see everything of the organisation
#   manager: also manage staff, training and drills
#   it:      also connect log sources, scan, run campaigns, triage alerts
#   owner:   also manage members, API tokens, organisation settings and the audit log


def role_at_least(role: str, required: str) -> bool:
    return ROLES.index(role) >= ROLES.index(required)
