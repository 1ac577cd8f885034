"""What owners keep of an organisation: its members, API tokens, audit log and settings."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from clinicshield.accounts.tenancy import current_org, org_view
from clinicshield.lib.errors import UserError
from clinicshield.lib.posted import posted_id

from .. import actions
from ..forms import MemberForm, OrganisationForm, TokenForm
from ..models import ApiToken, AuditEntry


@org_view("owner")
def members(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_add_member(
                org, form.cleaned_data["email"], form.cleaned_data["role"], request.user
            )
        except UserError as error:
            form.add_error(None, str(error.message))
        else:
            return redirect("people:members", org_slug=org_slug)
    rows = org.memberships.select_related("user").order_by("user__email")
    return render(request, "accounts/members.html", {"form": form, "members": rows})


@org_view("owner")
def audit_log(request: HttpRequest, org_slug: str) -> HttpResponse:
    entries = AuditEntry.objects.filter(organisation=current_org(request))
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(request, "accounts/audit.html", {"page": page})


@org_view("owner")
def api_tokens(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and "revoke" in request.POST:
        token = get_object_or_404(ApiToken, pk=posted_id(request, "revoke"), organisation=org)
        actions.do_revoke_api_token(token, request.user)
        return redirect("people:api_tokens", org_slug=org_slug)
    if request.method == "POST" and form.is_valid():
        new_token = actions.do_create_api_token(
            org, form.cleaned_data["name"], form.cleaned_data["role"], request.user
        )
        form = TokenForm()
    tokens = org.api_tokens.filter(revoked_at__isnull=True)
    return render(
        request, "accounts/api_tokens.html", {"form": form, "tokens": tokens, "new": new_token}
    )


@org_view("owner")
def organisation_settings(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    initial = {
        "name": org.name,
        "timezone": org.timezone,
        "training_refresh_months": org.training_refresh_months,
        "webhook_url": org.webhook_url,
        "events_retention_days": org.events_retention_days,
    }
    form = OrganisationForm(request.POST or None, initial=initial)
    secret = None
    if request.method == "POST" and "rotate" in request.POST:
        secret = actions.do_rotate_webhook_secret(org, request.user)
        form = OrganisationForm(initial=initial)
    elif request.method == "POST" and form.is_valid():
        wanted = dict(form.cleaned_data)
        retention = wanted.pop("events_retention_days")
        try:
            # One save: a retention that fails leaves the other settings as they were.
            with transaction.atomic():
                actions.do_update_organisation(org, request.user, **wanted)
                actions.do_set_events_retention(org, request.user, retention)
        except UserError as error:
            org.refresh_from_db()  # the page shows the organisation as it is stored
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Saved."))
            return redirect("people:settings", org_slug=org_slug)
    return render(request, "accounts/settings.html", {"form": form, "secret": secret})
