"""Creating organisations, sites, owners and members."""

import zoneinfo
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.translation import gettext as _

from clinicshield.lib.errors import UserError

from ..core.hours import OpeningHours
from ..core.roles import ROLES
from ..models import Membership, Organisation, Site
from .audit import audit
from .links import do_create_magic_link

User = get_user_model()


def check_timezone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise UserError(
            "bad_timezone", _("Unknown timezone %(zone)s (e.g. Europe/Madrid).") % {"zone": name}
        ) from None
    return name


def do_create_organisation(name: str, slug: str, timezone: str, actor: Any) -> Organisation:
    try:
        validate_slug(slug)
    except ValidationError:
        raise UserError(
            "bad_slug", _("The short name may only hold letters, digits, - and _.")
        ) from None
    check_timezone(timezone)
    if not name.strip():
        raise UserError("missing_name", _("The organisation needs a name."))
    with transaction.atomic():
        if Organisation.objects.filter(slug=slug).exists():
            raise UserError(
                "slug_taken", _("An organisation with short name %(slug)s exists.") % {"slug": slug}
            )
        org = Organisation.objects.create(name=name.strip(), slug=slug, timezone=timezone)
        audit(org, actor, "organisation.create", org.slug, name=org.name)
    return org


def do_create_site(
    org: Organisation,
    name: str,
    actor: Any,
    *,
    timezone: str = "",
    address: str = "",
    opening_hours: OpeningHours | None = None,
) -> Site:
    """Create a site, or return the existing one of that name (other apps rely on this)."""
    name = name.strip()
    if not name:
        raise UserError("missing_site", _("The site needs a name."))
    with transaction.atomic():
        site, created = Site.objects.get_or_create(
            organisation=org,
            name=name,
            defaults={
                "timezone": check_timezone(timezone) if timezone else org.timezone,
                "address": address,
                "opening_hours": opening_hours or default_opening_hours(),
            },
        )
        if created:
            audit(org, actor, "site.create", site.name)
    return site


def default_opening_hours() -> OpeningHours:
    """Monday to Friday 08:00-20:00: what most small clinics keep until told otherwise."""
    return {str(day): [["08:00", "20:00"]] for day in range(5)}


def do_set_password(user: Any, password: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise UserError("weak_password", " ".join(error.messages)) from None
    user.set_password(password)
    user.save(update_fields=["password"])


def do_add_member(org: Organisation, email: str, role: str, actor: Any) -> Membership:
    """Give a login user (created if new, without a usable password) a role in `org`."""
    if role not in ROLES:
        raise UserError("bad_role", _("Unknown role %(role)s.") % {"role": role})
    email = email.strip().lower()
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=email, defaults={"email": email})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        membership, _created = Membership.objects.update_or_create(
            user=user, organisation=org, defaults={"role": role}
        )
        audit(org, actor, "member.set_role", email, role=role)
    return membership


def do_create_owner(org: Organisation, email: str, password: str | None, actor: Any) -> Any:
    """The first (or another) owner. Without a password the setup link asks for one."""
    with transaction.atomic():
        membership = do_add_member(org, email, "owner", actor)
        user = membership.user
        if password:
            do_set_password(user, password)
    return user


def do_create_owner_with_link(
    org: Organisation, email: str, password: str | None, actor: Any, hours: int
) -> tuple[Any, str]:
    """An owner and the one-time setup link where they turn on two-step sign-in (and
    choose a password if none was given); both or neither."""
    with transaction.atomic():
        user = do_create_owner(org, email, password, actor)
        return user, do_create_magic_link("setup", user=user, hours=hours)


def do_first_setup(
    org_name: str, org_slug: str, timezone: str, email: str, password: str
) -> tuple[Organisation, Any]:
    """An empty install's first organisation and its owner: both or neither."""
    with transaction.atomic():
        org = do_create_organisation(org_name, org_slug, timezone, "setup")
        return org, do_create_owner(org, email, password, "setup")


def do_update_organisation(
    org: Organisation,
    actor: Any,
    *,
    name: str,
    timezone: str,
    training_refresh_months: int,
    webhook_url: str,
) -> Organisation:
    """The owner's settings page. Every change is audited with its old and new value."""
    if not 1 <= training_refresh_months <= 24:
        raise UserError("bad_refresh", _("Training is refreshed every 1 to 24 months."))
    wanted = {
        "name": name.strip(),
        "timezone": check_timezone(timezone),
        "training_refresh_months": training_refresh_months,
        "webhook_url": webhook_url.strip(),
    }
    changed = {k: (getattr(org, k), v) for k, v in wanted.items() if getattr(org, k) != v}
    if not changed:
        return org
    with transaction.atomic():
        for key, (_old, new) in changed.items():
            setattr(org, key, new)
        org.save(update_fields=list(changed))
        audit(
            org,
            actor,
            "organisation.update",
            org.slug,
            changes={k: list(v) for k, v in changed.items()},
        )
    return org


def do_rotate_webhook_secret(org: Organisation, actor: Any) -> str:
    from ..models import new_webhook_secret

    with transaction.atomic():
        org.webhook_secret = new_webhook_secret()
        org.save(update_fields=["webhook_secret"])
        audit(org, actor, "organisation.rotate_webhook_secret", org.slug)
    return org.webhook_secret
