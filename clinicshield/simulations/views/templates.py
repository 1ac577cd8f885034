"""The teaching pages and the templates: every template and its red flags, a template's
email and landing page as a recipient would see them, writing an organisation's own."""

from __future__ import annotations

from typing import Any

import nh3
import yaml
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from clinicshield.accounts.tenancy import current_org, org_view
from clinicshield.lib.errors import UserError
from clinicshield.lib.language import current_language

from .. import actions, queries
from ..core.landing import landing_content
from ..core.library import (
    LANGUAGES,
    EmailTemplate,
    TemplateError,
    render_email,
    template_from_dict,
)
from ..words import red_flags

SAMPLE_VALUES = {
    "first_name": "Ana",
    "full_name": "Ana García",
    "site_name": "Madrid",
    "date": "02/03/2026",
    "link": "#preview",
}


def email_preview(template: EmailTemplate | None, language: str = "") -> dict[str, Any] | None:
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
            preview = email_preview(template_from_dict(definition, "template"))
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
    preview = email_preview(template, request.GET.get("lang", ""))
    return render(
        request, "simulations/template_preview.html", {"section": "simulations", "p": preview}
    )


@org_view("viewer")
def landing_preview(request: HttpRequest, org_slug: str, key: str) -> HttpResponse:
    """The landing page as a recipient would see it, without tracking (no token)."""
    template = queries.template_library(current_org(request)).get(key)
    if template is None:
        raise Http404
    asked = request.GET.get("lang", "")
    language = asked if asked in LANGUAGES else "en"
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
        {"section": "simulations", "templates": [email_preview(t, language) for t in library]},
    )
