"""service_account_interactive: an account marked as a service account signs in by hand.

Service accounts run software; a person typing their password at a console or over RDP
is either misuse or an attacker who found the password in a script.
"""

from typing import Any

import ibis
import ibis.expr.types as ir

from ._rows import fetch, text
from .baselines import prepare_auth
from .context import DetectionContext
from .findings import Finding, grouped_finding


def detect_service_account_interactive(
    con: Any, auth: ir.Table, ctx: DetectionContext
) -> list[Finding]:
    if not ctx.service_accounts:
        return []
    recent = prepare_auth(con, auth, ctx).recent
    window = recent.filter(recent.ts >= ibis.literal(ctx.start))
    interactive = window.filter(
        (window.outcome == "success")
        & window.user.isin(sorted(ctx.service_accounts))
        & window.logon_type.isin(list(ctx.settings.interactive_logon_types))
    )
    grouped = interactive.group_by(["user", "host", "logon_type"]).aggregate(
        first_seen=interactive.ts.min(),
        last_seen=interactive.ts.max(),
        count=interactive.count(),
        src_ip=interactive.src_ip.argmin(interactive.ts),
        record_ref=interactive.record_ref.argmin(interactive.ts),
    )
    return [
        grouped_finding(
            row,
            kind="service_account_interactive",
            severity="high",
            key=f"service_account_interactive:{row['user']}:{text(row['host'])}",
            code="service_account_interactive",
            params={
                "user": row["user"],
                "host": text(row["host"]),
                "logon_type": row["logon_type"],
            },
        )
        for row in fetch(con, grouped)
    ]
