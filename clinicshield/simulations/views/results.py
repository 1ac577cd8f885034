"""Results: a campaign's page (refreshed in place by htmx), the trend across campaigns."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe

from clinicshield.accounts.tenancy import current_org, org_view

from .. import actions, queries
from ..core.landing import clipboard_refused
from ..words import stage_label
from .charts import trend_svg


@org_view("viewer")
def campaign_detail(request: HttpRequest, org_slug: str, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(queries.campaigns_of(current_org(request)), pk=campaign_id)
    actions.do_fold_hits()
    document = queries.results_document(campaign)
    funnel = document["totals"]["funnel"]
    document["funnel_rows"] = [(stage_label(k), n) for k, n in funnel.items()]
    for row in document["recipients"]:
        row["status_label"] = stage_label(row["status"])
    document["unverified_rows"] = [
        (stage_label(k), n) for k, n in document["unverified_events"].items()
    ]
    context = {
        "section": "simulations",
        "campaign": campaign,
        "r": document,
        "unsafe_base_url": clipboard_refused(campaign.landing, campaign.base_url),
    }
    if request.headers.get("HX-Request"):
        return render(request, "simulations/_results.html", context)
    return render(request, "simulations/campaign_detail.html", context)


@org_view("viewer")
def trend(request: HttpRequest, org_slug: str) -> HttpResponse:
    actions.do_fold_hits()
    history = queries.org_history(current_org(request))
    return render(
        request,
        "simulations/trend.html",
        {
            "section": "simulations",
            "chart": mark_safe(trend_svg(history["trend"])),  # noqa: S308 - our own SVG, no input
            "points": history["trend"],
            "repeat_offenders": history["repeat_offenders"],
        },
    )
