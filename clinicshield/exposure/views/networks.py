"""Registering and removing the networks scans may target (IT and owners)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicshield.accounts.tenancy import current_org, org_view
from clinicshield.lib.errors import UserError

from ..actions import do_add_network, do_delete_network
from ..forms import NetworkForm
from ..models import Network


@org_view("it")
@require_POST
def add_network(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = NetworkForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            do_add_network(
                current_org(request),
                data["site"],
                data["zone"],
                data["cidr"],
                request.user,
                data["ports"],
            )
            messages.success(request, _("Network registered."))
        except UserError as error:
            messages.error(request, str(error.message))
    else:
        messages.error(request, _("Please fill in site, zone and network."))
    return redirect("exposure:index", org_slug)


@org_view("it")
@require_POST
def remove_network(request: HttpRequest, org_slug: str, network_id: int) -> HttpResponse:
    network = get_object_or_404(Network, pk=network_id, organisation=current_org(request))
    do_delete_network(network, request.user)
    messages.success(request, _("Network removed."))
    return redirect("exposure:index", org_slug)
