"""The audit log: every administrative write calls `audit` inside its transaction."""

from typing import Any

from ..models import AuditEntry, Organisation


def actor_name(user: Any) -> str:
    if user is None:
        return "cli"
    if isinstance(user, str):
        return user
    return str(user.email or user.username)


def audit(
    org: Organisation | None,
    actor: Any,
    action: str,
    target: str = "",
    **details: Any,
) -> AuditEntry:
    """Record `action` by `actor` (a user, a string such as "cli" or "system", or None)."""
    user = actor if getattr(actor, "pk", None) and hasattr(actor, "username") else None
    return AuditEntry.objects.create(
        organisation=org,
        user=user,
        actor=actor_name(actor),
        action=action,
        target=str(target)[:300],
        details=details,
    )
