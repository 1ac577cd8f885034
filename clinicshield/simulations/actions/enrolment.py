"""Turning a mistake into a lesson: enrolment in training after a failed simulation.

The training app owns assignments; we call its public action. When training is
not installed (or not built yet) the hook does nothing and says so in the log,
so simulations work on their own.
"""

from __future__ import annotations

import logging
from typing import Any

from ..models import Recipient

log = logging.getLogger(__name__)

# Which module teaches what a person just got wrong.
MODULES_FOR_EVENT = {
    "clicked": ["phishing"],
    "submitted": ["phishing", "passwords-mfa"],
    "copied": ["clickfix"],
    "executed": ["clickfix"],
}


def _assign_module() -> Any:
    try:
        from clinicshield.training import actions as training_actions
    except ImportError:
        return None
    return getattr(training_actions, "do_assign_module", None)


def enrol_after_failure(recipient_id: int, event: str) -> list[str]:
    """Assign the modules for `event`; returns the module keys assigned."""
    assign = _assign_module()
    recipient = (
        Recipient.objects.select_related("person", "campaign").filter(pk=recipient_id).first()
    )
    if recipient is None or recipient.person is None:
        return []
    if assign is None:
        log.info("training is not available: %s not enrolled after %s", recipient.email, event)
        return []
    assigned = []
    # Training records a sentence as a just-in-time reason; managers read it as is.
    reason = f"{event} in the simulation “{recipient.campaign.name}” (#{recipient.campaign_id})"
    for module_key in MODULES_FOR_EVENT.get(event, []):
        try:
            assign(recipient.person, module_key, reason=reason)
        except Exception:  # a training problem must not lose the tracking event
            log.exception("could not assign %s to %s", module_key, recipient.email)
            continue
        assigned.append(module_key)
    return assigned
