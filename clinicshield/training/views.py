"""Manager pages of the training app, mounted at /o/<org_slug>/training/."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicshield.accounts.models import Person
from clinicshield.accounts.tenancy import current_org, org_view
from clinicshield.lib.errors import UserError
from clinicshield.lib.language import current_language
from clinicshield.lib.posted import posted_id

from . import actions
from .core.content import ROLE_TAGS
from .core.progress import EVIDENCE_MAPPING
from .models import CustomModule
from .pdf import evidence_pdf
from .queries import (
    catalogue,
    disabled_keys,
    evidence_csv,
    language_for,
    overview,
    parse_custom,
    person_matrix,
    shipped_library,
    shipped_sources,
)
from .words import describe, render_markdown

CUSTOM_FIELDS = ("key", "pass_mark", "minutes", "lesson_en", "lesson_es", "quiz_en", "quiz_es")


@org_view("viewer")
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    context = overview(org, timezone.now(), current_language())
    context["section"] = "training"
    context["people"] = org.people.filter(active=True).order_by("name")
    context["customs"] = CustomModule.objects.filter(organisation=org)
    context["disabled"] = disabled_keys(org)
    context["lang"] = current_language()
    return render(request, "training/index.html", context)


@org_view("viewer")
def people(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    now = timezone.now()
    data = overview(org, now, current_language())
    order = {key: i for i, key in enumerate(data["modules"])}
    keys = sorted({r.module_key for r in data["rows"]}, key=lambda k: order.get(k, 999))
    context: dict[str, Any] = {"section": "training", "keys": keys}
    context["lines"] = person_matrix(data["rows"], now)
    figures = {f.group: f for f in data["by_person"]}
    for line in context["lines"]:
        line["figures"] = figures.get(f"{line['name']} <{line['email']}>")
    return render(request, "training/people.html", context)


@org_view("viewer")
def module_detail(request: HttpRequest, org_slug: str, key: str) -> HttpResponse:
    org = current_org(request)
    module = catalogue(org).get(key)
    if module is None:
        raise Http404
    lang = language_for(module, current_language())
    context = {
        "section": "training",
        "module": module,
        "lang": lang,
        "title": module.title(lang),
        "html": render_markdown(module.lessons[lang].markdown),
        "questions": module.quizzes[lang].questions,
        "custom": CustomModule.objects.filter(organisation=org, key=key).first(),
        "enabled": key not in disabled_keys(org),
        "shipped": key in shipped_library().modules,
    }
    return render(request, "training/module.html", context)


@org_view("manager")
@require_POST
def set_pass_mark(request: HttpRequest, org_slug: str, key: str) -> HttpResponse:
    try:
        mark = int(request.POST.get("pass_mark", ""))
        actions.do_set_pass_mark(current_org(request), key, mark, request.user)
        messages.success(request, _("Pass mark saved."))
    except ValueError:
        messages.error(request, _("A pass mark is a percentage from 1 to 100."))
    except UserError as error:
        messages.error(request, str(error.message))
    return redirect("training:module", org_slug=org_slug, key=key)


@org_view("manager")
@require_POST
def set_enabled(request: HttpRequest, org_slug: str, key: str) -> HttpResponse:
    enabled = request.POST.get("enabled") == "1"
    try:
        actions.do_set_module_enabled(current_org(request), key, enabled, request.user)
    except UserError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Staff will be assigned this module.")
            if enabled
            else _("Nobody will be assigned this module any more."),
        )
    return redirect("training:module", org_slug=org_slug, key=key)


@org_view("manager")
@require_POST
def assign(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    person = get_object_or_404(Person, organisation=org, pk=posted_id(request, "person"))
    try:
        actions.do_assign_module(
            person, request.POST.get("module", ""), reason="manual", actor=request.user
        )
        messages.success(
            request, _("Assigned. %(name)s will get an email.") % {"name": person.name}
        )
    except UserError as error:
        messages.error(request, str(error.message))
    return redirect("training:index", org_slug=org_slug)


@org_view("manager")
def custom_edit(request: HttpRequest, org_slug: str, key: str | None = None) -> HttpResponse:
    org = current_org(request)
    existing = get_object_or_404(CustomModule, organisation=org, key=key) if key else None
    problems: list[Any] = []
    if request.method == "POST":
        fields: dict[str, Any] = {name: request.POST.get(name, "") for name in CUSTOM_FIELDS}
        fields["roles"] = request.POST.getlist("roles")
        try:
            saved, problems = actions.do_save_custom_module(org, fields, request.user, existing)
        except ValueError:
            saved, problems = None, []
            messages.error(request, _("Pass mark and minutes must be whole numbers."))
        if saved is not None:
            messages.success(request, _("Module saved."))
            return redirect("training:module", org_slug=org_slug, key=saved.key)
        problems = [describe(p) for p in problems]
        values = fields
    else:
        values = _custom_values(existing)
        source = request.GET.get("from", "")
        if existing is None and source in shipped_library().modules:
            # Start from our module: the manager adapts it, then may switch ours off.
            original = shipped_library().modules[source]
            values |= shipped_sources(source) | {"key": f"{source}-{org_slug}"[:50]}
            values |= {"roles": list(original.roles), "pass_mark": original.pass_mark}
            values["minutes"] = original.minutes
    context = {"section": "training", "values": values, "existing": existing,
               "problems": problems, "role_tags": sorted(ROLE_TAGS)}  # fmt: skip
    return render(request, "training/custom_edit.html", context)


@org_view("manager")
@require_POST
def custom_preview(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The editor's Preview button (htmx): rendered lessons and any problems, nothing saved."""
    draft = CustomModule(organisation=current_org(request), key="preview", roles=["all"])
    for name in ("lesson_en", "lesson_es", "quiz_en", "quiz_es"):
        setattr(draft, name, request.POST.get(name, "").replace("\r\n", "\n"))
    _module, problems = parse_custom(draft)
    lessons = [
        (lang, render_markdown(getattr(draft, f"lesson_{lang}")))
        for lang in ("en", "es")
        if getattr(draft, f"lesson_{lang}").strip()
    ]
    context = {"lessons": lessons, "problems": [describe(p) for p in problems]}
    return render(request, "training/_preview.html", context)


def _custom_values(existing: CustomModule | None) -> dict[str, Any]:
    if existing is None:
        return {"roles": ["all"], "pass_mark": 80, "minutes": 5}
    return {name: getattr(existing, name) for name in CUSTOM_FIELDS} | {"roles": existing.roles}


@org_view("viewer")
def evidence_csv_view(request: HttpRequest, org_slug: str) -> HttpResponse:
    response = HttpResponse(
        evidence_csv(current_org(request), timezone.now()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{org_slug}-training-evidence.csv"'
    return response


@org_view("viewer")
def evidence_pdf_view(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    context = overview(org, timezone.now(), current_language())
    context.update(org=org, mapping=EVIDENCE_MAPPING)
    response = HttpResponse(
        evidence_pdf(context, current_language()), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{org_slug}-training-evidence.pdf"'
    return response
