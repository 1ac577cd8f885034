"""State of the simulations app: campaigns, who they target, what happened, what was reported."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from clinicshield.accounts.models import Organisation, Person

from .core.tokens import new_token

KIND_CHOICES = [("phishing", _("Phishing")), ("clickfix", _("ClickFix"))]


class SendingProfile(models.Model):
    """The SMTP relay a campaign sends through, and the From address it uses."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sending_profiles"
    )
    name = models.CharField(_("name"), max_length=100)
    host = models.CharField(_("SMTP host"), max_length=200)
    port = models.PositiveIntegerField(_("SMTP port"), default=25)
    username = models.CharField(_("username"), max_length=200, blank=True)
    # Read from the environment variable named here, never stored in the database.
    password_env = models.CharField(_("password environment variable"), max_length=100, blank=True)
    use_tls = models.BooleanField(_("STARTTLS"), default=False)
    from_address = models.CharField(_("From address"), max_length=254)
    connections = models.PositiveSmallIntegerField(_("parallel connections"), default=2)

    def __str__(self) -> str:
        return f"{self.name} ({self.host}:{self.port})"


class Template(models.Model):
    """An email template written by an organisation, in the same shape as the library's YAML."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="simulation_templates"
    )
    key = models.SlugField(_("key"), max_length=80)
    definition = models.JSONField(_("definition"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="sim_template_key_per_org")
        ]


class Campaign(models.Model):
    STATE_CHOICES = [
        ("draft", _("Draft")),
        ("scheduled", _("Scheduled")),
        ("sending", _("Sending")),
        ("finished", _("Finished")),
    ]
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="campaigns"
    )
    name = models.CharField(_("name"), max_length=200)
    template_key = models.CharField(_("template"), max_length=80)
    # What was sent, frozen at creation: results and lessons stay true if the library changes.
    template_snapshot = models.JSONField(default=dict)
    kind = models.CharField(max_length=10, choices=KIND_CHOICES)
    landing = models.CharField(max_length=12)
    difficulty = models.PositiveSmallIntegerField(default=2)
    sending_profile = models.ForeignKey(SendingProfile, on_delete=models.PROTECT)
    base_url = models.URLField(_("tracking base URL"))
    targets = models.CharField(_("targets"), max_length=200, default="all")
    start_at = models.DateTimeField(_("start"), null=True, blank=True)
    days = models.PositiveSmallIntegerField(_("spread over days"), default=1)
    rate_per_minute = models.PositiveIntegerField(_("emails per minute"), default=60)
    state = models.CharField(max_length=10, choices=STATE_CHOICES, default="draft")
    created_at = models.DateTimeField(auto_now_add=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Who is sending right now, and until when the claim holds (renewed while sending).
    send_lease_owner = models.CharField(max_length=200, blank=True)
    send_lease_until = models.DateTimeField(null=True, blank=True)
    detections = models.PositiveIntegerField(
        default=0, help_text="ClickFix executions that monitoring caught (detection drills)."
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Recipient(models.Model):
    SEND_STATES = [
        ("pending", _("Pending")),
        ("sending", _("Sending")),
        ("sent", _("Sent")),
        ("failed", _("Failed")),
    ]
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, related_name="simulation_recipients"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    # Copied from the person at creation, so results survive leavers and renames.
    email = models.EmailField()
    name = models.CharField(max_length=200)
    language = models.CharField(max_length=2, default="es")
    site_name = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, default="pending")
    send_state = models.CharField(max_length=8, choices=SEND_STATES, default="pending")
    send_attempts = models.PositiveSmallIntegerField(default=0)
    send_error = models.CharField(max_length=300, blank=True)
    send_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    copied_at = models.DateTimeField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["campaign", "send_state"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.status})"


class TrackingEvent(models.Model):
    """One thing that happened to a recipient; unverified ones are counted apart."""

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(max_length=10)
    verified = models.BooleanField(default=True)
    reasons = models.CharField(max_length=200, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "pk"]


class HitLogCheckpoint(models.Model):
    """How far the fold has read one hit log file (hitlog.py): its byte offset moves in
    the same transaction as the events it read, so a stopped fold neither loses nor
    repeats a hit."""

    name = models.CharField(max_length=200, unique=True)
    offset = models.PositiveBigIntegerField(default=0)
    folded = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class QuarantinedHit(models.Model):
    """A line of a hit log that is not a hit (a write cut short by a full disk), kept as
    read with where it was and why, instead of dropped."""

    source = models.CharField(max_length=200)
    offset = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=200)
    line = models.BinaryField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "offset"], name="quarantined_hit_once")
        ]


class ReportedMessage(models.Model):
    """An email that someone forwarded to the report mailbox."""

    VERDICTS = [
        ("simulation", _("Simulation")),
        ("likely_safe", _("Likely safe")),
        ("suspicious", _("Suspicious")),
        ("dangerous", _("Dangerous")),
    ]
    TRIAGE_STATES = [
        ("open", _("To triage")),
        ("real", _("Real phishing")),
        ("harmless", _("Harmless")),
        ("closed", _("Closed")),
    ]
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="reported_messages"
    )
    mailbox_uid = models.CharField(max_length=100)
    message_id = models.CharField(max_length=300, blank=True)
    reporter_email = models.EmailField()
    reporter = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True)
    recipient = models.ForeignKey(Recipient, on_delete=models.SET_NULL, null=True, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    from_address = models.CharField(max_length=254, blank=True)
    verdict = models.CharField(max_length=12, choices=VERDICTS)
    analysis = models.JSONField(default=dict)
    triage_state = models.CharField(max_length=10, choices=TRIAGE_STATES, default="open")
    answered_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "mailbox_uid"], name="reported_once_per_mailbox_uid"
            )
        ]


class ReportMailbox(models.Model):
    """Where staff forward suspicious mail; polled over IMAP."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="report_mailbox"
    )
    host = models.CharField(_("IMAP host"), max_length=200)
    port = models.PositiveIntegerField(_("IMAP port"), default=993)
    use_ssl = models.BooleanField(_("IMAPS"), default=True)
    username = models.CharField(_("username"), max_length=200)
    password_env = models.CharField(_("password environment variable"), max_length=100)
    folder = models.CharField(_("folder"), max_length=100, default="INBOX")
    address = models.EmailField(_("report address"))
    own_domains = models.JSONField(default=list, blank=True)
    supplier_domains = models.JSONField(default=list, blank=True)
    last_uid = models.PositiveBigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
