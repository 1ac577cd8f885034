"""The templates a campaign may send: the shipped library and an organisation's own."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.utils.translation import gettext as _

from clinicshield.accounts.models import Organisation
from clinicshield.lib.errors import UserError

from ..core.library import (
    EmailTemplate,
    library_definitions,
    library_rows,
    template_from_dict,
)
from ..models import Campaign, Template


@cache
def library() -> dict[str, dict[str, Any]]:
    """The shipped library's raw definitions by key (read from content/ once)."""
    return library_definitions()


def _shipped_templates() -> dict[str, EmailTemplate]:
    return {k: template_from_dict(v, k) for k, v in library().items()}


def template_rows() -> list[dict[str, Any]]:
    """The library as rows (key, name, language, kind, landing, difficulty): API and CLI."""
    return library_rows(_shipped_templates())


def template_definition(org: Organisation, key: str) -> dict[str, Any]:
    """A library template or one the organisation wrote, as its raw definition."""
    own = Template.objects.filter(organisation=org, key=key).first()
    if own is not None:
        return dict(own.definition)
    if key in library():
        return library()[key]
    raise UserError("unknown_template", _("There is no template called “%s”.") % key, 404)


def template_library(org: Organisation) -> dict[str, EmailTemplate]:
    """Every template the organisation may send: the library's and its own, by key."""
    templates = _shipped_templates()
    for own in Template.objects.filter(organisation=org):
        templates[own.key] = template_from_dict(own.definition, own.key)
    return templates


def campaign_template(campaign: Campaign) -> EmailTemplate:
    """The template as the campaign froze it when it was created."""
    return template_from_dict(campaign.template_snapshot, f"campaign {campaign.pk}")
