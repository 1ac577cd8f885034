"""Login throttling, MFA enrolment, recovery codes and API tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..core.recovery_codes import code_hash, new_code
from ..models import ApiToken, LoginFailure, Organisation, RecoveryCodes, SignInAddress
from .audit import audit

RECOVERY_CODES = 10
SIGN_IN_ADDRESS_DAYS = timedelta(days=365)  # an address unused this long is a stranger's again


def do_record_login_failure(username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username.lower()[:254], ip=ip or None)


def do_record_sign_in(username: str, ip: str | None, now: datetime) -> None:
    """After a sign-in from `ip`: its failures are forgotten (not a stranger's elsewhere),
    and the address is one the account may still be tried from under the account ceiling."""
    username = username.lower()
    LoginFailure.objects.filter(username=username, ip=ip or None).delete()
    if ip:
        SignInAddress.objects.update_or_create(
            username=username, address=ip, defaults={"last_at": now}
        )


def do_forget_login_failures(now: datetime) -> int:
    """Failures older than the lockout window count for nothing: forget them, so that
    invented usernames typed at the sign-in page cannot grow the table without end. Sign-in
    addresses not used for SIGN_IN_ADDRESS_DAYS are forgotten too."""
    since = now - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    deleted, _kinds = LoginFailure.objects.filter(at__lt=since).delete()
    SignInAddress.objects.filter(last_at__lt=now - SIGN_IN_ADDRESS_DAYS).delete()
    return deleted


def do_start_totp_enrolment(user: Any) -> TOTPDevice:
    """An unconfirmed TOTP device; it counts only once a code from it has been checked."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def do_confirm_totp(user: Any, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the device if `code` is right; returns fresh recovery codes, else None."""
    if not device.verify_token(code):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _replace_recovery_codes(user)
        audit(None, user, "mfa.enrol", user.email)
    return codes


def do_new_recovery_codes(user: Any) -> list[str]:
    """Replace the user's recovery codes (each works once), and say so in the audit log."""
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        audit(None, user, "mfa.recovery_codes", user.email)
    return codes


def _replace_recovery_codes(user: Any) -> list[str]:
    """New codes for ``user``; the old ones stop working. Only their hashes are kept."""
    codes = [new_code() for _ in range(RECOVERY_CODES)]
    RecoveryCodes.objects.update_or_create(
        user=user,
        name="recovery",
        defaults={"code_hashes": [code_hash(code) for code in codes], "confirmed": True},
    )
    return codes


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def do_create_api_token(org: Organisation, name: str, role: str, actor: Any) -> str:
    """Returns the token; only its hash is kept, so it is shown this once."""
    token = "cs_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(
            organisation=org, name=name, prefix=token[:10], token_hash=_token_hash(token), role=role
        )
        audit(org, actor, "api_token.create", name, role=role)
    return token


def find_api_token(token: str) -> ApiToken | None:
    found = (
        ApiToken.objects.select_related("organisation")
        .filter(token_hash=_token_hash(token), revoked_at__isnull=True)
        .first()
    )
    if found is not None:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found


def do_revoke_api_token(token: ApiToken, actor: Any) -> None:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit(token.organisation, actor, "api_token.revoke", token.name)
