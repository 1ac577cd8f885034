"""Forms of the accounts app. Validation of business rules stays in actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .actions.retention import MAX_EVENTS_RETENTION_DAYS, MIN_EVENTS_RETENTION_DAYS
from .models import Membership


class SetupForm(forms.Form):
    org_name = forms.CharField(label=_("Clinic or group name"), max_length=200)
    org_slug = forms.SlugField(
        label=_("Short name"), max_length=60, help_text=_("Used in addresses, e.g. santa-ana")
    )
    timezone = forms.CharField(label=_("Timezone"), initial="Europe/Madrid", max_length=64)
    email = forms.EmailField(label=_("Your email"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=12)
    password_again = forms.CharField(label=_("Password again"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") != data.get("password_again"):
            raise forms.ValidationError(_("The two passwords differ."))
        return data


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class CodeForm(forms.Form):
    """The second step of signing in. Recovery codes hold letters, so no number pad on phones."""

    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=40,  # a recovery code with its dashes, or spaces typed between groups
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class EnrolmentCodeForm(forms.Form):
    """Turning on the authenticator app: only its six digits make sense here."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, min_length=12)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Staff CSV"))


class MemberForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.ROLE_CHOICES)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.ROLE_CHOICES, initial="viewer")


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    timezone = forms.CharField(label=_("Timezone"), max_length=64, initial="Europe/Madrid")
    opening_hours = forms.CharField(
        label=_("Opening hours"),
        initial="mon-fri 08:00-20:00",
        help_text=_(
            "e.g. mon-fri 08:00-20:00; sat 09:00-14:00. Until midnight: 24:00; "
            "a night shift is two spans: mon 22:00-24:00; tue 00:00-06:00"
        ),
    )


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    timezone = forms.CharField(label=_("Timezone"), max_length=64)
    training_refresh_months = forms.IntegerField(
        label=_("Refresh training every (months)"), min_value=1, max_value=24
    )
    webhook_url = forms.URLField(
        label=_("Webhook URL"),
        required=False,
        assume_scheme="https",
        help_text=_("New alerts, incidents and simulation events are posted here, signed."),
    )
    events_retention_days = forms.IntegerField(
        label=_("Keep security events (days)"),
        required=False,
        min_value=MIN_EVENTS_RETENTION_DAYS,
        max_value=MAX_EVENTS_RETENTION_DAYS,
        help_text=_(
            "Empty keeps every event. Days older than this are removed from the event store "
            "every night, with their quarantined records. 90 days at least."
        ),
    )


class SiteTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Which sensor it is for, e.g. 'reception PC' or 'server room'."),
    )
