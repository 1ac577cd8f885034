"""Creating and launching campaigns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from clinicshield.accounts.actions import audit
from clinicshield.accounts.models import Organisation, Person
from clinicshield.lib.errors import UserError

from ..core.landing import is_plain_base_url
from ..core.library import TemplateError, template_from_dict
from ..core.schedule import ScheduleError, SiteHours, plan_sends
from ..models import Campaign, Recipient, SendingProfile, Template
from ..queries import library, template_definition


def do_save_org_template(org: Organisation, definition: dict[str, Any], actor: Any) -> Template:
    try:
        template = template_from_dict(definition, "template")
    except TemplateError as error:
        raise UserError("bad_template", str(error)) from None
    if template.key in library():
        raise UserError(
            "template_key_taken", _("“%s” is the key of a library template.") % template.key
        )
    with transaction.atomic():
        saved, _created = Template.objects.update_or_create(
            organisation=org, key=template.key, defaults={"definition": definition}
        )
        audit(org, actor, "simulations.template.save", template.key)
    return saved


def select_targets(org: Organisation, targets: str) -> list[Person]:
    """People chosen by `all`, `site:NAME`, `dept:NAME` or `list:a@x,b@y`."""
    people = org.people.filter(active=True).select_related("site").order_by("pk")
    kind, _sep, value = targets.partition(":")
    if targets == "all":
        chosen = list(people)
    elif kind == "site" and value:
        chosen = list(people.filter(site__name__iexact=value))
    elif kind == "dept" and value:
        chosen = list(people.filter(department__iexact=value))
    elif kind == "list" and value:
        emails = {e.strip().lower() for e in value.split(",") if e.strip()}
        chosen = [p for p in people if p.email.lower() in emails]
    else:
        raise UserError(
            "bad_targets",
            _("Targets must be all, site:NAME, dept:NAME or list:EMAILS, not “%s”.") % targets,
        )
    if not chosen:
        raise UserError("no_targets", _("Nobody matches the targets “%s”.") % targets)
    return chosen


def do_create_campaign(
    org: Organisation,
    *,
    name: str,
    template_key: str,
    targets: str,
    smtp_host: str,
    smtp_port: int,
    from_address: str,
    base_url: str,
    actor: Any,
    connections: int = 2,
    start_at: datetime | None = None,
    days: int = 1,
    rate_per_minute: int = 60,
) -> Campaign:
    """A campaign of `template_key` to the people `targets` chooses, sent through the SMTP
    relay given (its sending profile is found, or made with `connections`): the profile,
    the campaign, its recipients and the audit entry are written together or not at all."""
    definition = template_definition(org, template_key)
    template = template_from_dict(definition, template_key)
    people = select_targets(org, targets)
    if not is_plain_base_url(base_url):  # it is copied to clipboards: nothing but a link
        raise UserError(
            "bad_base_url",
            _(
                "The base URL must be a plain http:// or https:// address, such as "
                "https://drills.clinic.example, with no spaces or symbols."
            ),
        )
    with transaction.atomic():
        profile = _sending_profile(org, smtp_host, smtp_port, from_address, connections)
        campaign = Campaign.objects.create(
            organisation=org,
            name=name,
            template_key=template.key,
            template_snapshot=definition,
            kind=template.kind,
            landing=template.landing,
            difficulty=template.difficulty,
            sending_profile=profile,
            base_url=base_url.rstrip("/"),
            targets=targets,
            start_at=start_at,
            days=days,
            rate_per_minute=rate_per_minute,
        )
        Recipient.objects.bulk_create(_recipients(campaign, people), batch_size=500)
        audit(org, actor, "simulations.campaign.create", name, targets=targets, id=campaign.pk)
    return campaign


def _sending_profile(
    org: Organisation, host: str, port: int, from_address: str, connections: int
) -> SendingProfile:
    """The organisation's profile for this relay and From address; a new one is named
    after the relay (an existing one keeps its name and connections)."""
    profile, _created = SendingProfile.objects.get_or_create(
        organisation=org,
        host=host,
        port=port,
        from_address=from_address,
        defaults={"name": f"{host}:{port}", "connections": connections},
    )
    return profile


def _recipients(campaign: Campaign, people: list[Person]) -> list[Recipient]:
    # Who they were when the campaign was made: results stay true if the roster changes.
    return [
        Recipient(
            campaign=campaign,
            person=person,
            email=person.email,
            name=person.name,
            language=person.language,
            site_name=person.site.name if person.site else "",
            department=person.department,
        )
        for person in people
    ]


def site_hours(org: Organisation) -> dict[str, SiteHours]:
    return {
        site.name: SiteHours(site.timezone, site.opening_hours or SiteHours("UTC").hours)
        for site in org.sites.all()
    }


def do_launch_campaign(campaign: Campaign, now: datetime, *, immediately: bool, actor: Any) -> int:
    """Give every recipient a send time; returns how many could not be placed in the window.

    A draft is launched, a scheduled campaign planned again. `immediately` on a campaign
    already sending is a resume: nothing to plan or write, the caller sends what is due
    (do_send_due, which also sends again what a crash left unconfirmed). Anything else
    (a finished campaign; a sending one on the schedule) was already launched.
    """
    if campaign.state == "sending" and immediately:
        return 0
    if campaign.state not in ("draft", "scheduled"):
        raise UserError("already_launched", _("This campaign was already launched."), status=409)
    recipients = list(campaign.recipients.filter(send_state="pending").only("pk", "site_name"))
    unplaced: list[int] = []
    with transaction.atomic():
        if immediately:
            campaign.recipients.filter(send_state="pending").update(send_at=now)
        else:
            try:
                plan = plan_sends(
                    [(r.pk, r.site_name) for r in recipients],
                    site_hours(campaign.organisation),
                    campaign.start_at or now,
                    campaign.days,
                    campaign.rate_per_minute,
                    seed=str(campaign.pk),
                )
            except ScheduleError as error:
                raise UserError("bad_schedule", str(error)) from None
            by_pk = {r.pk: r for r in recipients}
            for send in plan.sends:
                by_pk[send.recipient_id].send_at = send.send_at
            Recipient.objects.bulk_update(list(by_pk.values()), ["send_at"], batch_size=500)
            unplaced = plan.unplaced
        campaign.state = "sending" if immediately else "scheduled"
        campaign.launched_at = now
        campaign.save(update_fields=["state", "launched_at"])
        audit(campaign.organisation, actor, "simulations.campaign.launch", campaign.name)
    return len(unplaced)
