"""Pages of the simulations app: campaigns, the wizard, results, teaching pages, triage."""

from __future__ import annotations

from typing import Any

import nh3
import yaml
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicshield.accounts.tenancy import current_org, org_view
from clinicshield.lib.errors import UserError
from clinicshield.lib.language import current_language

from . import actions, queries
from .charts import trend_svg
from .core.landing import landing_content
from .core.library import (
    LANGUAGES,
    EmailTemplate,
    TemplateError,
    render_email,
    template_from_dict,
)
from .forms import CampaignForm, TriageForm
from .models import Campaign, ReportedMessage
from .words import explain_analysis, red_flags, stage_label

SAMPLE_VALUES = {
    "first_name": "Ana",
    "full_name": "Ana García",
    "site_name": "Madrid",
    "date": "02/03/2026",
    "link": "#preview",
}


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
            profile = actions.do_create_sending_profile(
                org,
                host=data["smtp_host"],
                port=data["smtp_port"],
                from_address=data["from_address"],
            )
            campaign = actions.do_create_campaign(
                org,
                name=data["name"],
                template_key=data["template"],
                targets=data["targets"],
                profile=profile,
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
        {"section": "simulations", "form": form, "preview": _preview(library.get(chosen))},
    )


def _preview(template: EmailTemplate | None, language: str = "") -> dict[str, Any] | None:
    if template is None:
        return None
    language = language if language in LANGUAGES else current_language()
    rendered = render_email(template, language, {**SAMPLE_VALUES, "clinic_name": "Clínica"})
    body = rendered.html.split("<body", 1)[1].split(">", 1)[1].rsplit("</body>", 1)[0]
    return {
        "template": template,
        "language": language,
        "from_name": rendered.from_name,
        "subject": rendered.subject,
        # Organisation-written templates are Markdown that may carry HTML: clean it.
        "html": mark_safe(nh3.clean(body)),  # noqa: S308 - sanitised by nh3 just above
        "red_flags": red_flags(template, language),
        "version": template.version(language),
    }


STARTER_TEMPLATE = """key: our-own-lure
landing: credential   # credential, clickfix or filefix
difficulty: 2         # 1 easy, 2 medium, 3 hard
en:
  name: Our own lure
  from_name: "Reception desk"
  subject: "Please check this before your shift"
  body: |
    Hello {{first_name}},

    [Open the document]({{link}})
  landing_title: "Document portal"
  landing_intro: "Sign in to continue."
red_flags:
  - code: unusual_channel
    en: "Explain here what should have made the reader stop."
"""


@org_view("it")
def template_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Write a template in the library's YAML shape, preview it, save it."""
    text = request.POST.get("definition", STARTER_TEMPLATE)
    preview, error = None, ""
    if request.method == "POST":
        try:
            definition = yaml.safe_load(text)
            preview = _preview(template_from_dict(definition, "template"))
            if "save" in request.POST:
                saved = actions.do_save_org_template(current_org(request), definition, request.user)
                messages.success(request, _("Template “%s” saved.") % saved.key)
                return redirect("simulations:teaching", org_slug=org_slug)
        except (yaml.YAMLError, TemplateError, UserError) as problem:
            error = str(getattr(problem, "message", problem))
    return render(
        request,
        "simulations/template_new.html",
        {"section": "simulations", "definition": text, "preview": preview, "error": error},
    )


@org_view("viewer")
def template_preview(request: HttpRequest, org_slug: str, key: str) -> HttpResponse:
    template = queries.template_library(current_org(request)).get(key)
    if template is None:
        raise Http404
    preview = _preview(template, request.GET.get("lang", ""))
    return render(
        request, "simulations/template_preview.html", {"section": "simulations", "p": preview}
    )


@org_view("viewer")
def landing_preview(request: HttpRequest, org_slug: str, key: str) -> HttpResponse:
    """The landing page as a recipient would see it, without tracking (no token)."""
    template = queries.template_library(current_org(request)).get(key)
    if template is None:
        raise Http404
    language = request.GET.get("lang", "") if request.GET.get("lang") in LANGUAGES else "en"
    version = template.version(language)
    context: dict[str, Any] = {
        "token": "",
        "title": version.landing_title,
        "intro": version.landing_intro,
        "language": language,
        "preview": True,
    }
    if template.landing != "credential":
        texts = landing_content()[template.landing]
        context["texts"] = texts.get(language) or texts["en"]
        context["clipboard"] = "https://example.invalid/s/PREVIEW#  preview"
    with translation.override(language):
        return render(request, f"simulations/public/{template.landing}.html", context)


@org_view("viewer")
def teaching(request: HttpRequest, org_slug: str) -> HttpResponse:
    language = current_language()
    library = sorted(
        queries.template_library(current_org(request)).values(), key=lambda t: (t.difficulty, t.key)
    )
    return render(
        request,
        "simulations/teaching.html",
        {"section": "simulations", "templates": [_preview(t, language) for t in library]},
    )


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    return get_object_or_404(queries.campaigns_of(current_org(request)), pk=campaign_id)


@org_view("viewer")
def campaign_detail(request: HttpRequest, org_slug: str, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    actions.do_fold_hits()
    document = queries.results_document(campaign)
    funnel = document["totals"]["funnel"]
    document["funnel_rows"] = [(stage_label(k), n) for k, n in funnel.items()]
    for row in document["recipients"]:
        row["status_label"] = stage_label(row["status"])
    document["unverified_rows"] = [
        (stage_label(k), n) for k, n in document["unverified_events"].items()
    ]
    context = {"section": "simulations", "campaign": campaign, "r": document}
    if request.headers.get("HX-Request"):
        return render(request, "simulations/_results.html", context)
    return render(request, "simulations/campaign_detail.html", context)


@org_view("it")
@require_POST
def campaign_launch(request: HttpRequest, org_slug: str, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
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


@org_view("it")
def triage(request: HttpRequest, org_slug: str) -> HttpResponse:
    items = queries.triage_items(current_org(request))[:200]
    rows = [(item, explain_analysis(item.analysis)) for item in items]
    return render(request, "simulations/triage.html", {"section": "simulations", "rows": rows})


@org_view("it")
@require_POST
def triage_decide(request: HttpRequest, org_slug: str, item_id: int) -> HttpResponse:
    item = get_object_or_404(ReportedMessage, pk=item_id, organisation=current_org(request))
    form = TriageForm(request.POST)
    if form.is_valid():
        actions.do_decide_triage(item, form.cleaned_data["triage_state"], request.user)
    return redirect("simulations:triage", org_slug=org_slug)
