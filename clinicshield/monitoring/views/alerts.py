"""Alert pages: the list with filters, one alert with its events and rules, triage."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicshield.accounts.tenancy import current_membership, current_org, org_view
from clinicshield.lib.errors import UserError

from ..actions import (
    do_acknowledge_alert,
    do_escalate_alert,
    do_mark_false_positive,
    do_reopen_alert,
    do_resolve_alert,
)
from ..models import ACTIVE_STATUSES, SEVERITY_CHOICES, STATUS_CHOICES
from ..queries import alert_kinds, alerts_of, events_behind, people_names
from ..words import (
    STATUS_LABELS,
    column_label,
    event_rows,
    explain,
    kind_title,
    rule_level_label,
    status_label,
)

PAGE_SIZE = 100


@org_view("viewer")
def alert_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    status = request.GET.get("status", "active")
    statuses: tuple[str, ...] | None = None  # an unknown status: every alert
    if status == "active":
        statuses = ACTIVE_STATUSES
    elif status in dict(STATUS_CHOICES):
        statuses = (status,)
    kind = request.GET.get("kind", "")
    person = request.GET.get("user", "").strip().lower()
    severity = request.GET.get("severity", "low")
    alerts = alerts_of(org, statuses=statuses, kind=kind, user=person, min_severity=severity)
    shown = list(alerts[:PAGE_SIZE])
    names = people_names(org, {a.user for a in shown})
    rows = [
        (a, kind_title(a.kind), explain(a.code, a.params, names), status_label(a.status))
        for a in shown
    ]
    context = {
        "section": "monitoring",
        "rows": rows,
        "filters": {
            "status": status,
            "kind": kind,
            "user": person,
            "severity": severity,
        },
        "kinds": [(k, kind_title(k)) for k in alert_kinds(org)],
        "statuses": [(code, STATUS_LABELS[code]) for code, _label in STATUS_CHOICES],
        "severities": SEVERITY_CHOICES,
    }
    return render(request, "monitoring/alerts.html", context)


@org_view("viewer")
def alert_detail(request: HttpRequest, org_slug: str, alert_id: int) -> HttpResponse:
    org = current_org(request)
    alert = get_object_or_404(alerts_of(org), pk=alert_id)
    event_kind, events = events_behind(org, alert)
    columns = list(events[0].keys()) if events else []
    context = {
        "section": "monitoring",
        "alert": alert,
        "title": kind_title(alert.kind),
        "status": status_label(alert.status),
        "explanation": explain(alert.code, alert.params, people_names(org, {alert.user})),
        "event_kind": event_kind,
        "headers": [column_label(c) for c in columns],
        "rows": event_rows(columns, events),
        "rules": [
            {**rule, "level": rule_level_label(str(rule.get("level", "")))}
            for rule in alert.evidence.get("rules", [])
        ],
        "can_triage": current_membership(request).role in ("it", "owner"),
    }
    return render(request, "monitoring/alert.html", context)


TRIAGE = {
    "acknowledge": do_acknowledge_alert,
    "resolve": do_resolve_alert,
    "reopen": do_reopen_alert,
}


@org_view("it")
@require_POST
def alert_triage(request: HttpRequest, org_slug: str, alert_id: int, action: str) -> HttpResponse:
    org = current_org(request)
    alert = get_object_or_404(alerts_of(org), pk=alert_id)
    try:
        if action == "incident":
            incident = do_escalate_alert(alert, request.user)
            return redirect("readiness:incident", org_slug, incident.number)
        if action == "false_positive":
            do_mark_false_positive(
                alert, request.user, reason=request.POST.get("reason", "")[:1000]
            )
            messages.success(
                request,
                _("Marked as a false positive: the same pattern will not raise an alert again."),
            )
        elif action in TRIAGE:
            TRIAGE[action](alert, request.user)
        else:
            raise Http404
    except UserError as error:
        messages.error(request, str(error.message))
    return redirect("monitoring:alert", org_slug, alert.pk)
