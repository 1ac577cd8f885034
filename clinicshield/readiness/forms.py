"""Forms of the readiness pages: thin, the checks that matter live in actions."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .actions.staff_reports import DISCONNECTED_CHOICES, REPORT_KINDS, WHEN_CHOICES
from .models import CallTreeContact


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened?"),
        choices=[(k, label) for k, (label, _p) in REPORT_KINDS.items()],
        widget=forms.RadioSelect,
    )
    when = forms.ChoiceField(
        label=_("When?"), choices=list(WHEN_CHOICES.items()), widget=forms.RadioSelect
    )
    disconnected = forms.ChoiceField(
        label=_("Have you unplugged the network cable and switched off Wi-Fi (computer left on)?"),
        choices=list(DISCONNECTED_CHOICES.items()),
        widget=forms.RadioSelect,
    )
    where = forms.CharField(
        label=_("Which computer or device, and where?"), max_length=200, required=False
    )
    what = forms.CharField(
        label=_("In your own words (what you clicked, pasted or saw)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )


class PublicReportForm(ReportForm):
    reporter_name = forms.CharField(
        label=_("Your name (so IT can call you back)"), max_length=200, required=False
    )


class ContactForm(forms.ModelForm):
    class Meta:
        model = CallTreeContact
        fields = ["kind", "name", "phone", "email", "notes", "notify_on_report"]


class IncidentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    playbook = forms.ChoiceField(label=_("Playbook"), required=False)
    details = forms.CharField(
        label=_("What is known"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class BreachFactsForm(forms.Form):
    aware_at = forms.DateTimeField(
        label=_("Aware of a personal-data breach since"),
        required=False,
        # The one format a datetime-local input accepts, whatever the page's language (the
        # Spanish input format, 06/03/2026 08:15:00, would be dropped and the clock cleared).
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("The GDPR 72 hours count from here. Leave empty if no breach is known."),
    )
    affected = forms.IntegerField(label=_("People affected"), min_value=0, required=False)
    largest_state = forms.IntegerField(
        label=_("Most people affected in one US State (HIPAA media rule)"),
        min_value=0,
        required=False,
    )
    high_risk = forms.BooleanField(label=_("High risk to the people affected"), required=False)


class MarkNotifiedForm(forms.Form):
    code = forms.CharField(max_length=40)
    reference = forms.CharField(max_length=200, required=False)
    sent_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean_sent_at(self) -> Any:
        sent_at = self.cleaned_data["sent_at"]
        if sent_at is not None and sent_at > timezone.now():
            raise forms.ValidationError(_("A notification cannot have been sent in the future."))
        return sent_at


class CloseIncidentForm(forms.Form):
    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 2}))
    went_well = forms.CharField(
        label=_("What went well"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    lessons = forms.CharField(label=_("Lessons learned"), widget=forms.Textarea(attrs={"rows": 3}))
    improvements = forms.CharField(
        label=_("Improvement tasks, one per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class StartDrillForm(forms.Form):
    scenario = forms.ChoiceField(label=_("Scenario"))
    language = forms.ChoiceField(
        label=_("Language"), choices=[("es", _("Spanish")), ("en", _("English"))]
    )


class FinishDrillForm(forms.Form):
    went_well = forms.CharField(
        label=_("What went well"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    gaps_noted = forms.CharField(
        label=_("Gaps noticed"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    improvements = forms.CharField(
        label=_("Improvement tasks, one per line: task | owner | due date (YYYY-MM-DD)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def clean_improvements(self) -> list[tuple[str, str, date | None]]:
        rows = []
        for number, line in enumerate(self.cleaned_data["improvements"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")] + ["", ""]
            due = None
            if parts[2]:
                try:
                    due = date.fromisoformat(parts[2])
                except ValueError:
                    raise forms.ValidationError(
                        _("Line %(n)s: %(value)s is not a date like 2026-06-30."),
                        params={"n": number, "value": parts[2]},
                    ) from None
            rows.append((parts[0], parts[1], due))
        return rows


class AnswerForm(forms.Form):
    participant = forms.CharField(label=_("Your name"), max_length=100)
    question = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
