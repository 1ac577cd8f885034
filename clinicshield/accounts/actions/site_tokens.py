"""Site tokens: the credentials of site sensors, and what their signed requests tell us.

Only a seed is stored; the token's secret is HMAC(server key, key id + seed), computed
again to check each signature. So a copy of the database cannot sign as a sensor, and the
token can be shown only when it is created.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from clinicshield.lib.errors import UserError

from ..core.site_signing import SiteCredential, canonical, signature_matches
from ..models import Site, SiteToken, SiteTokenNonce
from .audit import audit

# A sensor's "last used" and "last seen" are written at most this often: a busy sensor
# posts a batch every second, and the database need not hear about each one.
TOUCH_EVERY = timedelta(seconds=30)
HEALTH_TEXT_LIMIT = 500
HEALTH_LIST_LIMIT = 50


def _secret(key_id: str, seed: str) -> str:
    key = settings.SENSOR_TOKEN_KEY or settings.SECRET_KEY
    return salted_hmac(
        "clinicshield.site-token", key_id + seed, secret=key, algorithm="sha256"
    ).hexdigest()


def do_create_site_token(site: Site, name: str, actor: Any) -> str:
    """A new token for ``site``; returns it (the only time it exists in full)."""
    name = name.strip() or _("sensor")
    key_id, seed = secrets.token_hex(8), secrets.token_hex(32)
    with transaction.atomic():
        SiteToken.objects.create(
            organisation=site.organisation,
            site=site,
            name=name[:100],
            key_id=key_id,
            seed=seed,
            created_by=str(actor)[:200],
        )
        audit(site.organisation, actor, "site_token.create", f"{site.name}: {name}", key=key_id)
    return SiteCredential(key_id, _secret(key_id, seed)).token()


def do_revoke_site_token(token: SiteToken, actor: Any) -> None:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        target = f"{token.site.name}: {token.name}"
        audit(token.organisation, actor, "site_token.revoke", target, key=token.key_id)


def do_rotate_site_token(token: SiteToken, actor: Any) -> str:
    """Revoke ``token`` and make a new one of the same name: at once, since a token is
    rotated because it may have been seen (the sensor stops until it gets the new one)."""
    with transaction.atomic():
        do_revoke_site_token(token, actor)
        return do_create_site_token(token.site, token.name, actor)


@dataclass(frozen=True)
class SignedRequest:
    key_id: str
    timestamp: str
    nonce: str
    signature: str
    method: str
    path: str
    body: bytes


def _refused(code: str, message: str) -> UserError:
    return UserError(code, message, status=401)


def authenticate_site_request(request: SignedRequest, now: datetime) -> SiteToken:
    """The token that signed ``request``, or a 401 UserError saying exactly why not."""
    if not (request.key_id and request.timestamp and request.nonce and request.signature):
        raise _refused("unsigned", _("This endpoint needs a request signed with a site token."))
    token = (
        SiteToken.objects.select_related("site__organisation", "organisation")
        .filter(key_id=request.key_id)
        .first()
    )
    if token is None:
        raise _refused("unknown_token", _("This site token is not known to this server."))
    message = canonical(
        request.method, request.path, request.timestamp, request.nonce, request.body
    )
    if not signature_matches(_secret(token.key_id, token.seed), message, request.signature):
        raise _refused("bad_signature", _("The request's signature does not match its token."))
    if token.revoked_at is not None:
        raise _refused(
            "token_revoked",
            _("This site token was revoked on %(when)s; make a new one on the site's page.")
            % {"when": token.revoked_at.strftime("%Y-%m-%d %H:%M UTC")},
        )
    _check_fresh(request.timestamp, now)
    _remember_nonce(token, request.nonce, now)
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        SiteToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def _check_fresh(timestamp: str, now: datetime) -> None:
    skew = settings.SENSOR_CLOCK_SKEW_SECONDS
    try:
        age = now.timestamp() - int(timestamp)
    except ValueError:
        age = float("inf")
    if abs(age) > skew:
        raise _refused(
            "stale_request",
            _(
                "The request's time is %(seconds)s s away from the server's clock (at most "
                "%(skew)s s allowed): check the sensor's clock."
            )
            % {"seconds": "?" if age == float("inf") else int(age), "skew": skew},
        )


def _remember_nonce(token: SiteToken, nonce: str, now: datetime) -> None:
    try:
        with transaction.atomic():
            SiteTokenNonce.objects.create(token=token, nonce=nonce[:64], at=now)
    except IntegrityError:
        raise _refused(
            "replayed", _("This signed request was already received: a replay.")
        ) from None


def do_prune_site_token_nonces(now: datetime) -> int:
    """Forget nonces older than the clock window: their timestamps are refused anyway."""
    cutoff = now - timedelta(seconds=2 * settings.SENSOR_CLOCK_SKEW_SECONDS)
    deleted, _by_model = SiteTokenNonce.objects.filter(at__lt=cutoff).delete()
    return deleted


def do_note_sensor_seen(site: Site, now: datetime) -> None:
    """A batch arrived: the sensor is alive (written at most every TOUCH_EVERY)."""
    Site.objects.filter(pk=site.pk).filter(
        Q(sensor_last_seen__isnull=True) | Q(sensor_last_seen__lt=now - TOUCH_EVERY)
    ).update(sensor_last_seen=now)


def _bounded(value: Any, depth: int = 0) -> Any:
    """A sensor's report, cut to a size that cannot fill the database."""
    if isinstance(value, str):
        return value[:HEALTH_TEXT_LIMIT]
    if isinstance(value, bool | int | float) or value is None:
        return value
    if depth > 3:
        return None
    if isinstance(value, list):
        return [_bounded(v, depth + 1) for v in value[:HEALTH_LIST_LIMIT]]
    if isinstance(value, dict):
        items = list(value.items())[:HEALTH_LIST_LIMIT]
        return {str(k)[:100]: _bounded(v, depth + 1) for k, v in items}
    return str(value)[:HEALTH_TEXT_LIMIT]


def do_record_sensor_health(
    token: SiteToken, sensor: str, report: dict[str, Any], now: datetime
) -> None:
    """Keep a sensor's latest health report on its site (one entry per sensor name)."""
    entry = {**_bounded(report), "received_at": now.isoformat(), "token": token.key_id}
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=token.site_id)
        site.sensor_health = {**(site.sensor_health or {}), sensor[:100]: entry}
        site.sensor_last_seen = now
        site.save(update_fields=["sensor_health", "sensor_last_seen"])
