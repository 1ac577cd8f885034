"""Organisations, their sites and staff, the login users who run them, and the audit log."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin

from .core.recovery_codes import code_hash
from .core.roles import ROLES, role_at_least
from .core.roster import DEPARTMENTS


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class Organisation(models.Model):
    """One clinic, or a chain of them."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    timezone = models.CharField(_("timezone"), max_length=64, default="Europe/Madrid")
    training_refresh_months = models.PositiveSmallIntegerField(
        _("training refresh (months)"), default=6
    )
    webhook_url = models.URLField(_("webhook URL"), blank=True)
    webhook_secret = models.CharField(max_length=64, default=new_webhook_secret)
    # Days of security events kept in the event store; empty keeps everything (the
    # organisation decides how long its logs are kept: docs/decisions/0017).
    events_retention_days = models.PositiveIntegerField(
        _("keep security events (days)"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    timezone = models.CharField(_("timezone"), max_length=64, default="Europe/Madrid")
    # {"0": [["08:00", "20:00"]], ...}: weekday 0 = Monday, times local to the site.
    opening_hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    # When a site sensor last spoke (a health report or a batch of events), and what each
    # of the site's sensors said last: {sensor name: its latest health report}.
    sensor_last_seen = models.DateTimeField(_("sensor last seen"), null=True, blank=True)
    sensor_health = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="site_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name


DEPARTMENT_CHOICES = [
    ("reception", _("Reception")),
    ("clinician", _("Clinician")),
    ("nurse", _("Nursing")),
    ("lab", _("Laboratory")),
    ("billing", _("Billing")),
    ("management", _("Management")),
    ("it", _("IT")),
]
assert tuple(code for code, _label in DEPARTMENT_CHOICES) == DEPARTMENTS

LANGUAGE_CHOICES = [("en", _("English")), ("es", _("Spanish"))]


class Person(models.Model):
    """A member of staff. Staff never get a password: they use magic links."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    department = models.CharField(_("department"), max_length=20, choices=DEPARTMENT_CHOICES)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES, default="es")
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "email"], name="person_email_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A login user's role in one organisation. An MSP technician has many memberships."""

    ROLE_CHOICES = [
        ("viewer", _("Viewer")),
        ("manager", _("Manager")),
        ("it", _("IT support")),
        ("owner", _("Owner")),
    ]
    assert tuple(code for code, _label in ROLE_CHOICES) == ROLES

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=ROLE_CHOICES)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class AuditEntry(models.Model):
    """Who did what to which organisation, and when. Written only by actions."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, related_name="audit_entries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    actor = models.CharField(max_length=200, help_text="user email, 'cli' or 'system'")
    action = models.CharField(max_length=100)
    target = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]


class ApiToken(models.Model):
    """A per-organisation API token. Only its SHA-256 is stored; the token is shown once."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=10, choices=Membership.ROLE_CHOICES, default="viewer")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def allows(self, role: str) -> bool:
        """Whether this token may do what needs `role` (the pages' role ladder; the API
        asks through clinicshield.lib.api)."""
        return role_at_least(self.role, role)


class SiteToken(models.Model):
    """A site sensor's credential, scoped to one site of one organisation.

    The token is ``cs_site_<key_id>_<secret>``; the sensor never sends the secret, it signs
    each request with it (HMAC-SHA256). The server keeps only ``seed``: the secret is
    HMAC(server key, seed), so the database alone cannot sign as a sensor, and the token is
    shown once, when it is created (docs/decisions/0016-site-sensors.md)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="site_tokens"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="sensor_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_id = models.CharField(max_length=16, unique=True)
    seed = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=200, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["site__name", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.site})"


class SiteTokenNonce(models.Model):
    """A signed request already accepted: the same signature again is a replay. Kept for
    twice the allowed clock skew, then pruned."""

    token = models.ForeignKey(SiteToken, on_delete=models.CASCADE, related_name="nonces")
    nonce = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "nonce"], name="site_token_nonce_once")
        ]


class LoginFailure(models.Model):
    """One failed password or second-factor attempt, for throttling and lockout."""

    username = models.CharField(max_length=254, db_index=True)
    ip = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)


class SignInAddress(models.Model):
    """An address (core.signin.throttle_address: an IPv6 /64 counts as one) an account
    signed in from: such addresses may still try once the account's guesses, spread over
    many addresses, reach LOGIN_ACCOUNT_FAILURE_LIMIT."""

    username = models.CharField(max_length=254)
    address = models.GenericIPAddressField()
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username", "address"], name="sign_in_address_once")
        ]


class MagicLink(models.Model):
    """A signed, single-use, expiring way in: staff portal links and owner setup links."""

    PURPOSES = [("portal", "staff portal"), ("setup", "account setup")]
    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=10, choices=PURPOSES)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True
    )
    next_path = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class DirectorySource(models.Model):
    """A staff directory an organisation syncs from (Entra ID via Graph, or LDAP/AD).

    `config` holds what is not secret (addresses, ids, filter, attribute mapping). The client
    secret or bind password is never stored here: it is read at each sync from a file in
    CLINICSHIELD_DIRECTORY_SECRETS_DIR (docs/directory-sync.md says why)."""

    KIND_CHOICES = [("graph", "Microsoft Entra ID (Graph)"), ("ldap", "LDAP / Active Directory")]
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="directory_sources"
    )
    name = models.SlugField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=KIND_CHOICES)
    config = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    sync_every_minutes = models.PositiveIntegerField(_("sync every (minutes)"), default=60)
    # Graph's cursor for the next incremental round; empty = the next round reads everyone.
    delta_link = models.TextField(blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_full_sync_at = models.DateTimeField(null=True, blank=True)
    last_result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="directory_source_name_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class DirectoryLink(models.Model):
    """A person as one directory knows them: its immutable id for them, kept after they
    leave, so that someone who comes back is the same person with the same history."""

    source = models.ForeignKey(DirectorySource, on_delete=models.CASCADE, related_name="links")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="directory_links")
    external_id = models.CharField(max_length=200)
    # What the directory last said: a person is reactivated only when this turns back on,
    # so someone marked as left by hand is not brought back by every sync.
    directory_enabled = models.BooleanField(default=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="directory_link_id_per_source"
            ),
            models.UniqueConstraint(fields=["source", "person"], name="directory_link_person"),
        ]


class RecoveryCodes(ThrottlingMixin, Device):
    """A person's recovery codes, one django-otp device: each code signs in once. Only
    the codes' hashes are kept (core/recovery_codes.py says why a fast hash is enough);
    django-otp's own static tokens kept the codes themselves."""

    code_hashes = models.JSONField(default=list)

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1))

    def verify_token(self, token: str) -> bool:
        allowed, _why = self.verify_is_allowed()
        if not allowed:
            return False
        hashed = code_hash(token)
        if hashed not in self.code_hashes:
            self.throttle_increment()
            return False
        self.code_hashes = [h for h in self.code_hashes if h != hashed]
        self.throttle_reset(commit=False)
        self.save()
        return True
