"""Magic links: signed, single-use and expiring. Staff enter the portal with them; a new
owner uses one to finish setting up their account. Only a hash of the token is stored."""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicshield.lib.errors import UserError
from clinicshield.lib.notify import send_email

from ..models import MagicLink, Person
from .audit import audit

SALT = "clinicshield.magic-link"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def do_create_magic_link(
    purpose: str,
    *,
    person: Person | None = None,
    user: Any = None,
    next_path: str = "",
    hours: int | None = None,
) -> str:
    """Return the absolute URL of a new link; the token in it is shown only this once."""
    raw = secrets.token_urlsafe(32)
    lifetime = timedelta(hours=hours or settings.MAGIC_LINK_HOURS)
    MagicLink.objects.create(
        token_hash=_hash(raw),
        purpose=purpose,
        person=person,
        user=user,
        next_path=next_path,
        expires_at=timezone.now() + lifetime,
    )
    token = signing.dumps(raw, salt=SALT, compress=False)
    route = "portal:enter" if purpose == "portal" else "accounts:setup_link"
    return settings.SITE_URL + reverse(route, args=[token])


def do_use_magic_link(token: str, purpose: str) -> MagicLink:
    """Spend a link. Raises UserError when it is forged, expired or already used."""
    try:
        raw = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise UserError("bad_link", _("This link is not valid."), 404) from None
    with transaction.atomic():
        link = (
            MagicLink.objects.select_for_update(of=("self",))
            .select_related("person", "user")
            .filter(token_hash=_hash(raw), purpose=purpose)
            .first()
        )
        if link is None:
            raise UserError("bad_link", _("This link is not valid."), 404)
        if link.used_at is not None:
            raise UserError("used_link", _("This link has already been used. Ask for a new one."))
        if link.expires_at < timezone.now():
            raise UserError("expired_link", _("This link has expired. Ask for a new one."))
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
    return link


def do_send_portal_link(person: Person, actor: Any, next_path: str = "") -> str:
    """Email `person` a link into the staff portal, in their language, once the link and its
    audit entry are saved."""
    with transaction.atomic():
        url = do_create_magic_link("portal", person=person, next_path=next_path)
        audit(person.organisation, actor, "portal_link.send", person.email)

        def send() -> None:
            send_email(
                [person.email],
                gettext_lazy("Your ClinicShield link"),
                "accounts/email/portal_link",
                {"person": person, "url": url, "hours": settings.MAGIC_LINK_HOURS},
                language=person.language,
            )

        transaction.on_commit(send)
    return url
