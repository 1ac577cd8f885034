"""The organisation a CLI verb works on (``--org SLUG``)."""

from clinicshield.lib.cli import refuse

from .models import Organisation


def get_org(slug: str) -> Organisation:
    """The organisation with that short name, or a refusal (exit 2) naming it."""
    org = Organisation.objects.filter(slug=slug).first()
    if org is None:
        raise refuse(f"no organisation with short name {slug!r}")
    return org
