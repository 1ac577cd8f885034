"""Forms of the exposure pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ZONE_CHOICES


class NetworkForm(forms.Form):
    site = forms.CharField(label=_("Site"), max_length=200)
    zone = forms.ChoiceField(label=_("Zone"), choices=ZONE_CHOICES)
    cidr = forms.CharField(
        label=_("Network (CIDR)"), max_length=64, help_text=_("For example 10.1.20.0/24")
    )
    ports = forms.CharField(
        label=_("Ports for scheduled scans"),
        initial="clinic",
        max_length=200,
        help_text=_("clinic, top1000, top100, all, or 22,80,8000-8100"),
    )


class ScanForm(forms.Form):
    targets = forms.CharField(
        label=_("Targets"),
        max_length=1000,
        help_text=_("Addresses, CIDR blocks or ranges inside your networks"),
    )
    ports = forms.CharField(label=_("Ports"), initial="clinic", max_length=200)


class PolicyForm(forms.Form):
    text = forms.CharField(
        strip=False,  # keep the YAML exactly as written
        label=_("Segmentation policy (YAML)"),
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"}),
    )


class ImportForm(forms.Form):
    xml = forms.FileField(label=_("nmap XML file (nmap -oX)"))
