"""Alerts and what shapes them: suppressions, service accounts, detection runs."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinicshield.accounts.models import Organisation

SEVERITY_CHOICES = [
    ("low", _("Low")),
    ("medium", _("Medium")),
    ("high", _("High")),
    ("critical", _("Critical")),
]
SEVERITY_RANK = {code: rank for rank, (code, _label) in enumerate(SEVERITY_CHOICES)}

# With their context: "Open" alone is translated for other things ("Abierto") elsewhere.
STATUS_CHOICES = [
    ("open", pgettext_lazy("alert status", "Open")),
    ("acknowledged", pgettext_lazy("alert status", "Acknowledged")),
    ("resolved", pgettext_lazy("alert status", "Resolved")),
    ("false_positive", pgettext_lazy("alert status", "False positive")),
]
# An alert in one of these states still grows when the same thing happens again.
ACTIVE_STATUSES = ("open", "acknowledged")


class Alert(models.Model):
    """Something unusual, explained. One alert grows (count, last_seen) while it continues."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=60)
    severity = models.CharField(_("severity"), max_length=10, choices=SEVERITY_CHOICES)
    key = models.CharField(max_length=300, help_text="what makes two detections 'the same thing'")
    # The explanation as a code and parameters (rendered in the reader's language), or, for
    # alerts raised by other apps with a ready sentence, code "text" and params {"text": ...}.
    code = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)
    user = models.CharField(_("user"), max_length=200, blank=True)
    src_ip = models.CharField(_("source address"), max_length=64, blank=True)
    host = models.CharField(_("host"), max_length=200, blank=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    count = models.PositiveIntegerField(_("count"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=STATUS_CHOICES, default="open")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.CharField(max_length=200, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    # The new-alert email could not be sent (mail server down): the periodic job
    # monitoring.alert_emails sends it again until it goes.
    email_pending = models.BooleanField(default=False)
    # Likewise the webhook call (receiver down or refusing): monitoring.alert_webhooks.
    webhook_pending = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_seen"]
        indexes = [
            models.Index(fields=["organisation", "status", "-last_seen"]),
            models.Index(fields=["organisation", "kind", "key"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class Suppression(models.Model):
    """Made by marking an alert a false positive: the same pattern for the same person or
    source raises nothing again (until the suppression is removed)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="alert_suppressions"
    )
    kind = models.CharField(max_length=60)
    user = models.CharField(max_length=200, blank=True)
    src_ip = models.CharField(max_length=64, blank=True)
    host = models.CharField(max_length=200, blank=True)
    key = models.CharField(max_length=300, blank=True, help_text="empty: any key of this kind")
    reason = models.TextField(blank=True)
    source_alert = models.ForeignKey(Alert, on_delete=models.SET_NULL, null=True, blank=True)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.user or self.src_ip or self.host}"


class ServiceAccount(models.Model):
    """An account that runs software, not a person: interactive sign-ins are alarming."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="service_accounts"
    )
    name = models.CharField(_("account name"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="service_account_name_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


class DetectionRun(models.Model):
    """One detection pass: the window it covered, so the next pass starts where it ended."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="detection_runs"
    )
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    findings = models.PositiveIntegerField(default=0)
    new_alerts = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    problems = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the pass looked for late files: what changed in the store after this moment is
    # for the next pass to examine.
    store_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-window_end"]
        indexes = [models.Index(fields=["organisation", "-window_end"])]
