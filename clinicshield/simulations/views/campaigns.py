"""The campaigns: the list, the new-campaign wizard (with a preview of the email), launching."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicshield.accounts.tenancy import current_org, org_view
from clinicshield.lib.errors import UserError

from .. import actions, queries
from ..forms import CampaignForm
from .templates import email_preview


@org_view("viewer")
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    actions.do_fold_hits()  # results count every hit answered so far (actions/folding.py)
    campaigns = [
        (campaign, queries.campaign_results(campaign))
        for campaign in queries.campaigns_of(org).order_by("-created_at")[:50]
    ]
    open_reports = queries.triage_items(org, "open").count()
    return render(
        request,
        "simulations/index.html",
        {"section": "simulations", "campaigns": campaigns, "open_reports": open_reports},
    )


@org_view("it")
def campaign_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    library = queries.template_library(org)
    # "Preview" re-submits the form by GET: keep what was typed, show the chosen template.
    form = CampaignForm(request.POST or None, org=org, library=library, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = actions.do_create_campaign(
                org,
                name=data["name"],
                template_key=data["template"],
                targets=data["targets"],
                smtp_host=data["smtp_host"],
                smtp_port=data["smtp_port"],
                from_address=data["from_address"],
                base_url=data["base_url"],
                actor=request.user,
                start_at=data["start_at"],
                days=data["days"],
                rate_per_minute=data["rate_per_minute"],
            )
        except UserError as error:
            form.add_error(None, str(error.message))
        else:
            return redirect("simulations:campaign", org_slug=org.slug, campaign_id=campaign.pk)
    chosen = request.POST.get("template") or request.GET.get("template") or min(library, default="")
    return render(
        request,
        "simulations/campaign_new.html",
        {"section": "simulations", "form": form, "preview": email_preview(library.get(chosen))},
    )


@org_view("it")
@require_POST
def campaign_launch(request: HttpRequest, org_slug: str, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(queries.campaigns_of(current_org(request)), pk=campaign_id)
    try:
        unplaced = actions.do_launch_campaign(
            campaign, timezone.now(), immediately=False, actor=request.user
        )
    except UserError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("Campaign scheduled. Emails go out in each site's opening hours.")
        )
        if unplaced:
            messages.warning(request, _("%d people do not fit the sending window.") % unplaced)
    return redirect("simulations:campaign", org_slug=org_slug, campaign_id=campaign.pk)
