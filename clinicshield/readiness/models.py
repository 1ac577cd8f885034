"""State of the readiness app: call trees, playbook adaptations, incidents and drills."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clinicshield.accounts.models import Organisation, Person


def new_token() -> str:
    """An unguessable URL token: 192 bits, revealing nothing about the organisation."""
    return secrets.token_urlsafe(24)


ROLE_CHOICES = [
    ("staff", _("Person at the device")),
    ("front_desk", _("Front desk")),
    ("manager", _("Manager")),
    ("it_support", _("IT support / MSP")),
    ("dpo", _("Data protection officer")),
]


class ReadinessProfile(models.Model):
    """One per organisation: its staff report page token, legal regimes and reminder state."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="readiness"
    )
    report_token = models.CharField(max_length=64, unique=True, default=new_token)
    # Which notification rules apply: "gdpr", "hipaa", "nis2" (see core/clock.py).
    regimes = models.JSONField(default=list)
    drill_reminder_sent_at = models.DateTimeField(null=True, blank=True)


class CallTreeContact(models.Model):
    KINDS = [
        ("owner", _("Owner")),
        ("manager", _("Manager")),
        ("it_support", _("IT support / MSP")),
        ("dpo", _("Data protection officer")),
        ("insurer", _("Cyber insurer")),
        ("authority", _("Data protection authority")),
        ("police", _("Police")),
        ("bank", _("Bank")),
        ("other", _("Other")),
    ]
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="call_tree"
    )
    kind = models.CharField(_("who"), max_length=20, choices=KINDS)
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    notify_on_report = models.BooleanField(_("email me when staff report a problem"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class PlaybookAdaptation(models.Model):
    """An organisation's changes to a shipped playbook, as validated by core.planning."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    playbook_key = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "playbook_key"], name="one_adaptation_per_playbook"
            )
        ]


class Incident(models.Model):
    SOURCES = [
        ("staff_report", _("Staff report")),
        ("monitoring", _("Monitoring alert")),
        ("exposure", _("Exposure finding")),
        ("manual", _("Opened by IT")),
    ]
    STATUSES = [("open", _("Open")), ("contained", _("Contained")), ("closed", _("Closed"))]

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="incidents"
    )
    number = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=300)
    source = models.CharField(max_length=20, choices=SOURCES)
    source_ref = models.CharField(max_length=200, blank=True)
    playbook_key = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=2, default="es")
    status = models.CharField(max_length=10, choices=STATUSES, default="open")
    reporter = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True)
    reporter_name = models.CharField(max_length=200, blank=True)
    opened_at = models.DateTimeField()
    # The notification clock: set when personal data may be affected.
    aware_at = models.DateTimeField(null=True, blank=True)
    affected_individuals = models.PositiveIntegerField(null=True, blank=True)
    largest_state_count = models.PositiveIntegerField(null=True, blank=True)
    high_risk = models.BooleanField(default=False)
    notified = models.JSONField(default=list)  # clock codes already notified
    # {clock code: ISO time it was sent}; NIS2's final report counts from its notification's.
    # Codes notified before this was kept have no time.
    notified_at = models.JSONField(default=dict)
    closed_at = models.DateTimeField(null=True, blank=True)
    root_cause = models.TextField(blank=True)
    went_well = models.TextField(blank=True)
    lessons_learned = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="incident_number")
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"


class TimelineEntry(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    kind = models.CharField(max_length=20)  # opened, report, note, task, status, clock, evidence
    # What people wrote (notes, report details), or a notice in English. A notice also keeps
    # `code` and `params`, which words.timeline_sentence puts into the reader's language;
    # entries from before codes existed have none and show their text.
    text = models.TextField()
    code = models.CharField(max_length=40, blank=True)
    params = models.JSONField(default=dict, blank=True)
    actor = models.CharField(max_length=200)

    class Meta:
        ordering = ["at", "id"]


class IncidentTask(models.Model):
    STATUSES = [
        ("todo", _("To do")),
        ("doing", _("In progress")),
        ("done", _("Done")),
        ("skipped", _("Not needed")),
    ]
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    step_id = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    title = models.CharField(max_length=300)
    details = models.TextField(blank=True)
    local_note = models.TextField(blank=True)
    checklist = models.JSONField(default=list)  # [{"id", "text", "done"}]
    clock = models.CharField(max_length=30, blank=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=STATUSES, default="todo")
    done_at = models.DateTimeField(null=True, blank=True)
    # When the owner was reminded (due job readiness.task_reminders): once per owner and due
    # time; a new owner or a moved due time clears both (actions.incidents).
    due_soon_reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]


class Evidence(models.Model):
    """A file kept for the investigation; stored under DATA_DIR with its SHA-256."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="evidence")
    description = models.CharField(max_length=300)
    filename = models.CharField(max_length=255)
    path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    added_at = models.DateTimeField()
    added_by = models.CharField(max_length=200)


class Drill(models.Model):
    STATUSES = [("running", _("Running")), ("finished", _("Finished"))]
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="drills")
    scenario_key = models.CharField(max_length=64)
    language = models.CharField(max_length=2)
    facilitator = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=STATUSES, default="running")
    participant_token = models.CharField(max_length=64, unique=True, default=new_token)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    shown = models.JSONField(default=list)  # [{"inject": id, "at": iso time}] in order shown
    went_well = models.TextField(blank=True)
    gaps_noted = models.TextField(blank=True)
    score = models.JSONField(default=dict)  # core.scoring result, frozen when finished

    class Meta:
        ordering = ["-started_at"]


class DrillDecision(models.Model):
    """The facilitator's record for one question: which expected actions the team named."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="decisions")
    question_id = models.CharField(max_length=64)
    action_ids = models.JSONField(default=list)
    notes = models.TextField(blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["drill", "question_id"], name="one_decision_per_question"
            )
        ]


class DrillAnswer(models.Model):
    """What a participant typed on their phone."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField(max_length=64)
    participant = models.CharField(max_length=100)
    role = models.CharField(max_length=20, choices=ROLE_CHOICES, blank=True)
    text = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]


class ImprovementTask(models.Model):
    """Something to fix, from a drill's after-action review or an incident's closing review."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="improvements"
    )
    drill = models.ForeignKey(
        Drill, on_delete=models.CASCADE, null=True, blank=True, related_name="improvements"
    )
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, null=True, blank=True, related_name="improvements"
    )
    title = models.CharField(_("improvement"), max_length=300)
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["closed_at", "due_on", "id"]
