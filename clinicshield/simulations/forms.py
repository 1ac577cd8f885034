"""Forms of the campaign wizard."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from clinicshield.accounts.models import DEPARTMENT_CHOICES, Organisation

from .core.library import DIFFICULTIES
from .models import Template


def template_choices(org: Organisation, library: dict[str, Any]) -> list[tuple[str, str]]:
    choices = [
        (key, f"{template.version('en').name} ({DIFFICULTIES[template.difficulty]})")
        for key, template in sorted(library.items())
    ]
    choices += [
        (t.key, f"{t.definition.get('en', {}).get('name', t.key)} ({_('ours')})")
        for t in Template.objects.filter(organisation=org).order_by("key")
    ]
    return choices


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    template = forms.ChoiceField(label=_("Template"))
    targets = forms.ChoiceField(label=_("Who receives it"))
    smtp_host = forms.CharField(label=_("SMTP host"), max_length=200)
    smtp_port = forms.IntegerField(label=_("SMTP port"), min_value=1, max_value=65535, initial=25)
    from_address = forms.EmailField(label=_("From address"))
    base_url = forms.URLField(
        assume_scheme="https",
        label=_("Tracking base URL"),
        help_text=_(
            "The address where staff reach this server, e.g. https://drills.clinic.example"
        ),
    )
    start_at = forms.DateTimeField(
        label=_("Start"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    days = forms.IntegerField(label=_("Spread over days"), min_value=1, max_value=60, initial=3)
    rate_per_minute = forms.IntegerField(
        label=_("At most emails per minute"), min_value=1, max_value=10000, initial=30
    )

    def __init__(self, *args: Any, org: Organisation, library: dict[str, Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["template"]).choices = template_choices(org, library)
        departments = dict(DEPARTMENT_CHOICES)
        cast(forms.ChoiceField, self.fields["targets"]).choices = (
            [("all", _("Everyone"))]
            + [(f"site:{s.name}", _("Site: %s") % s.name) for s in org.sites.all()]
            + [(f"dept:{code}", _("Department: %s") % departments[code]) for code in departments]
        )


class TriageForm(forms.Form):
    triage_state = forms.ChoiceField(
        choices=[("real", _("Real phishing")), ("harmless", _("Harmless")), ("closed", _("Closed"))]
    )
