"""Pages of the segmentation policy: the YAML editor, the zone x zone matrix, probe runs."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicshield.accounts.core.roles import role_at_least
from clinicshield.accounts.models import Organisation
from clinicshield.accounts.tenancy import current_membership, current_org, org_view
from clinicshield.lib.errors import UserError

from ..actions import do_save_policy
from ..core.matrix_svg import render_matrix
from ..core.segmentation import matrix
from ..forms import PolicyForm
from ..queries import latest_verdicts, policy_of, probe_runs, stored_policy
from ..words import MATRIX_LABELS, verdict_reason

EXAMPLE_POLICY = """zones:
  guest: [192.168.50.0/24]
  clinical: [10.1.10.0/24]
  lab: [10.1.20.0/24]
  servers: [10.1.30.0/24]
controls:
  guest: ["192.168.50.1:53"]
rules:
  - {from: guest, to: lab, action: block, ports: any}
  - {from: guest, to: servers, action: block, ports: any}
  - {from: clinical, to: servers, action: allow, ports: [443]}
"""


def matrix_svg_for(org: Organisation) -> str | None:
    policy = policy_of(org)
    if policy is None:
        return None
    cells = matrix(policy, latest_verdicts(org, timezone.now()))
    labels = {state: str(label) for state, label in MATRIX_LABELS.items()}
    return render_matrix(list(policy.zones), cells, labels, _("from"), _("to"))


@org_view("viewer")
def segmentation(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    stored = stored_policy(org)
    form = PolicyForm(initial={"text": stored.text if stored else EXAMPLE_POLICY})
    if request.method == "POST":
        if not role_at_least(current_membership(request).role, "it"):
            messages.error(request, _("Only IT and owners may change the policy."))
            return redirect("exposure:segmentation", org_slug)
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                do_save_policy(org, form.cleaned_data["text"], request.user)
                messages.success(request, _("Policy saved."))
                return redirect("exposure:segmentation", org_slug)
            except UserError as error:
                form.add_error("text", str(error.message))
    runs = probe_runs(org)[:10]
    for run in runs:
        for verdict in run.verdicts:
            verdict["why"] = verdict_reason(verdict["reason"])
    context = {
        "section": "exposure",
        "form": form,
        "stored": stored,
        "svg": matrix_svg_for(org) if stored else None,
        "runs": runs,
    }
    return render(request, "exposure/segmentation.html", context)


@org_view("viewer")
def matrix_svg(request: HttpRequest, org_slug: str) -> HttpResponse:
    svg = matrix_svg_for(current_org(request))
    if svg is None:
        return HttpResponse(status=404)
    return HttpResponse(svg, content_type="image/svg+xml")
