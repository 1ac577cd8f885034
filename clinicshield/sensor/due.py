"""Periodic jobs of the site sensors' server side."""

from datetime import datetime

from clinicshield.accounts.actions import do_prune_site_token_nonces
from clinicshield.lib.due import due_job


@due_job("sensor.forget_nonces", minute="*/10")
def forget_old_nonces(now: datetime) -> str:
    """Nonces outside the clock window cannot be replayed (their time is refused)."""
    return f"{do_prune_site_token_nonces(now)} nonce(s) forgotten"
