"""An organisation's readiness set-up: profile, call tree, playbook adaptations, improvements."""

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicshield.accounts.actions import audit
from clinicshield.accounts.models import Organisation
from clinicshield.lib.errors import UserError

from ..core.catalogue import shipped_catalogue
from ..core.clock import REGIMES
from ..core.planning import check_adaptation
from ..models import (
    CallTreeContact,
    Drill,
    ImprovementTask,
    Incident,
    PlaybookAdaptation,
    ReadinessProfile,
    new_token,
)


def profile_for(org: Organisation) -> ReadinessProfile:
    profile, _created = ReadinessProfile.objects.get_or_create(
        organisation=org, defaults={"regimes": ["gdpr"]}
    )
    return profile


def do_rotate_report_token(org: Organisation, actor: Any) -> ReadinessProfile:
    """A new report-page address; posters printed before stop working (e.g. one was misused)."""
    with transaction.atomic():
        profile = profile_for(org)
        profile.report_token = new_token()
        profile.save(update_fields=["report_token"])
        audit(org, actor, "readiness.report_token.rotate")
    return profile


def do_set_regimes(org: Organisation, regimes: list[str], actor: Any) -> ReadinessProfile:
    unknown = sorted(set(regimes) - set(REGIMES))
    if unknown:
        raise UserError("unknown_regime", _("Unknown notification rules: %s") % ", ".join(unknown))
    with transaction.atomic():
        profile = profile_for(org)
        profile.regimes = [r for r in REGIMES if r in regimes]
        profile.save(update_fields=["regimes"])
        audit(org, actor, "readiness.regimes.set", ",".join(profile.regimes))
    return profile


def do_add_contact(org: Organisation, actor: Any, **fields: Any) -> CallTreeContact:
    kinds = {code for code, _label in CallTreeContact.KINDS}
    if fields.get("kind") not in kinds:
        raise UserError("bad_contact_kind", _("Choose who this contact is."))
    if not str(fields.get("name", "")).strip():
        raise UserError("missing_name", _("A contact needs a name."))
    with transaction.atomic():
        position = CallTreeContact.objects.filter(organisation=org).count()
        contact = CallTreeContact.objects.create(organisation=org, position=position, **fields)
        audit(org, actor, "readiness.contact.add", contact.name, kind=contact.kind)
    return contact


def do_remove_contact(contact: CallTreeContact, actor: Any) -> None:
    with transaction.atomic():
        audit(contact.organisation, actor, "readiness.contact.remove", contact.name)
        contact.delete()


def do_save_adaptation(
    org: Organisation, playbook_key: str, data: dict[str, Any], actor: Any
) -> PlaybookAdaptation:
    if playbook_key not in shipped_catalogue().playbooks["en"]:
        raise UserError("unknown_playbook", _("There is no such playbook."), 404)
    playbook = shipped_catalogue().playbook(playbook_key, "en")
    adaptation, problems = check_adaptation(playbook, data)
    if adaptation is None:
        detail = "; ".join(p.detail for p in problems)
        raise UserError("bad_adaptation", _("The changes were not saved: %s") % detail)
    with transaction.atomic():
        row, _created = PlaybookAdaptation.objects.update_or_create(
            organisation=org,
            playbook_key=playbook_key,
            defaults={"data": adaptation.model_dump(exclude_defaults=True)},
        )
        audit(org, actor, "readiness.playbook.adapt", playbook_key)
    return row


def do_add_improvement(
    org: Organisation,
    title: str,
    *,
    owner: str = "",
    due_on: date | None = None,
    drill: Drill | None = None,
    incident: Incident | None = None,
    now: datetime | None = None,
) -> ImprovementTask:
    if not title.strip():
        raise UserError("missing_title", _("An improvement needs a description."))
    return ImprovementTask.objects.create(
        organisation=org,
        title=title.strip()[:300],
        owner=owner.strip()[:200],
        due_on=due_on,
        drill=drill,
        incident=incident,
        created_at=now or timezone.now(),
    )


def do_close_improvement(task: ImprovementTask, actor: Any, now: datetime | None = None) -> None:
    with transaction.atomic():
        task.closed_at = now or timezone.now()
        task.save(update_fields=["closed_at"])
        audit(task.organisation, actor, "readiness.improvement.close", task.title)
