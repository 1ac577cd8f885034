"""Log sources: the streams of events an organisation sends us."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from clinicshield.accounts.models import Organisation

FORMAT_CHOICES = [
    ("auto", _("Recognise by content")),
    ("evtx", _("Windows .evtx")),
    ("winjson", _("Windows events as JSON lines")),
    ("syslog", _("Linux syslog / auth.log")),
    ("entra", _("Entra ID sign-ins")),
    ("zeek", _("Zeek conn.log")),
    ("csv", _("CSV (firewall, NetFlow or mapped)")),
    ("json", _("JSON lines (mapped)")),
]


class LogSource(models.Model):
    """A stream of events an organisation sends us (a server's auth.log, the Entra export,
    the firewall's flows). The events themselves live in the Parquet store; this row keeps
    what people ask about it: when it last spoke and how much it said."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="log_sources"
    )
    name = models.CharField(_("name"), max_length=100)
    format = models.CharField(_("format"), max_length=10, choices=FORMAT_CHOICES, default="auto")
    mapping = models.JSONField(
        _("field mapping"),
        default=dict,
        blank=True,
        help_text=_("For CSV/JSON application logs: which source column fills which field."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_ingest_at = models.DateTimeField(_("last ingestion"), null=True, blank=True)
    first_event_at = models.DateTimeField(_("first event"), null=True, blank=True)
    last_event_at = models.DateTimeField(_("last event seen"), null=True, blank=True)
    records_read = models.BigIntegerField(_("records read"), default=0)
    events_stored = models.BigIntegerField(_("events stored"), default=0)
    quarantined = models.BigIntegerField(_("records quarantined"), default=0)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="log_source_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name
