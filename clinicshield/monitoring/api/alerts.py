"""REST endpoints for alerts, mounted at /api/monitoring/alerts.

The operation ids are those of the published schema, named when these endpoints lived in
monitoring/alert_api.py: integrators' generated clients call them by these names.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from clinicshield.lib.api import api_org, api_token
from clinicshield.lib.errors import UserError

from ..actions import (
    do_acknowledge_alert,
    do_escalate_alert,
    do_mark_false_positive,
    do_reopen_alert,
    do_resolve_alert,
)
from ..queries import alert_payload, alerts_of, people_names

router = Router(tags=["monitoring"])


class AlertOut(Schema):
    id: int
    kind: str
    title: str
    severity: str
    status: str
    user: str
    src_ip: str
    host: str
    first_seen: datetime
    last_seen: datetime
    count: int
    explanation: str


OPERATION_PREFIX = "clinicshield_monitoring_alert_api_"


@router.get("", response=list[AlertOut], operation_id=f"{OPERATION_PREFIX}list_alerts")
def list_alerts(
    request: HttpRequest, status: str = "", kind: str = "", language: str = "en"
) -> list[dict[str, Any]]:
    org = api_org(request)
    alerts = alerts_of(org, statuses=(status,) if status else None, kind=kind)
    chosen = list(alerts[:500])
    names = people_names(org, {alert.user for alert in chosen})
    return [alert_payload(alert, language, names) for alert in chosen]


@router.get("/{alert_id}", response=AlertOut, operation_id=f"{OPERATION_PREFIX}get_alert")
def get_alert(request: HttpRequest, alert_id: int, language: str = "en") -> dict[str, Any]:
    alert = get_object_or_404(alerts_of(api_org(request)), pk=alert_id)
    return alert_payload(alert, language)


TRIAGE = {
    "acknowledge": do_acknowledge_alert,
    "resolve": do_resolve_alert,
    "reopen": do_reopen_alert,
}


@router.post(
    "/{alert_id}/{action}", response=AlertOut, operation_id=f"{OPERATION_PREFIX}triage_alert"
)
def triage_alert(
    request: HttpRequest, alert_id: int, action: str, reason: str = ""
) -> dict[str, Any]:
    token = api_token(request, "it", refusal=_("This token's role may not triage alerts."))
    alert = get_object_or_404(alerts_of(token.organisation), pk=alert_id)
    actor = f"api:{token.name}"
    if action == "incident":
        do_escalate_alert(alert, actor)
    elif action == "false_positive":
        do_mark_false_positive(alert, actor, reason=reason[:1000])
    elif action in TRIAGE:
        TRIAGE[action](alert, actor)
    else:
        raise UserError("unknown_action", _("Unknown alert action."), status=404)
    alert.refresh_from_db()
    return alert_payload(alert)
