"""An organisation's campaigns, the recipient behind a tracking token, campaigns to send."""

from __future__ import annotations

from django.db.models import QuerySet

from clinicshield.accounts.models import Organisation

from ..core.tokens import is_well_formed_token
from ..models import Campaign, Recipient


def campaigns_of(org: Organisation) -> QuerySet[Campaign]:
    """The organisation's campaigns, newest first; one of them with `.get(pk=...)`."""
    return Campaign.objects.filter(organisation=org)


def campaign_by_id(campaign_id: int) -> Campaign | None:
    """Any organisation's campaign: the CLI is run by whoever runs the server."""
    return Campaign.objects.select_related("organisation").filter(pk=campaign_id).first()


def find_recipient(token: str) -> Recipient | None:
    """Whose tracking token this is, with the campaign and organisation; None if nobody's."""
    if not is_well_formed_token(token):
        return None
    try:
        return Recipient.objects.select_related("campaign", "campaign__organisation").get(
            token=token
        )
    except Recipient.DoesNotExist:
        return None


def campaigns_to_send() -> list[int]:
    """Ids of the campaigns that may have emails due: launched and not finished."""
    return list(
        Campaign.objects.filter(state__in=("scheduled", "sending")).values_list("pk", flat=True)
    )
