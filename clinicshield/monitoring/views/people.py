"""A person's access profile (sign-ins by weekday and hour, countries, networks, devices,
their alerts), and marking an account as a service account."""

from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinicshield.accounts.tenancy import current_org, org_view

from ..actions import do_mark_service_account, do_unmark_service_account
from ..queries import access_profile, alerts_of, is_service_account
from ..queries.detection import detection_context
from ..words import kind_title, sign_ins_at, weekday_abbreviation


def heat_cells(hours: list[list[int]]) -> list[dict[str, Any]]:
    """The 7x24 heat map as SVG rectangles (drawn by the template, no JavaScript)."""
    peak = max((max(day) for day in hours), default=0) or 1
    cells = []
    for day, counts in enumerate(hours):
        for hour, count in enumerate(counts):
            cells.append(
                {
                    "x": 40 + hour * 18,
                    "y": 4 + day * 18,
                    "opacity": round(0.08 + 0.92 * count / peak, 2) if count else 0.04,
                    "title": sign_ins_at(day, hour, count),
                }
            )
    return cells


@org_view("viewer")
def person_profile(request: HttpRequest, org_slug: str, account: str) -> HttpResponse:
    org = current_org(request)
    now = timezone.now()
    ctx = detection_context(org, now - timedelta(minutes=1), now)
    profile = access_profile(org, account, ctx)
    context = {
        "section": "monitoring",
        "account": account.lower(),
        "profile": profile,
        "cells": heat_cells(profile["hours"]),
        "day_labels": [{"y": 17 + day * 18, "name": weekday_abbreviation(day)} for day in range(7)],
        "hour_labels": [
            {"x": 40 + hour * 18 + 9, "hour": f"{hour:02d}"} for hour in range(0, 24, 3)
        ],
        "alerts": [
            (alert, kind_title(alert.kind)) for alert in alerts_of(org, user=account.lower())[:20]
        ],
        "timezone": ctx.user_timezones.get(account.lower(), ctx.timezone),
        "is_service_account": is_service_account(org, account),
    }
    return render(request, "monitoring/person.html", context)


@org_view("it")
@require_POST
def service_account_toggle(request: HttpRequest, org_slug: str, account: str) -> HttpResponse:
    org = current_org(request)
    if is_service_account(org, account):
        do_unmark_service_account(org, account, request.user)
    else:
        do_mark_service_account(org, account, request.user)
    return redirect("monitoring:person", org_slug, account.lower())
