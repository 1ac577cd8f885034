"""State of the training app.

The course library itself is data files (content/); the database holds what an organisation
changes (pass marks, its own modules) and what happens to people (assignments, attempts,
reminders). Module keys are plain strings so that shipped and custom modules mix freely.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from clinicshield.accounts.models import Organisation, Person

REASON_CHOICES = [
    ("onboarding", _("Onboarding")),
    ("refresh", _("Refresh")),
    ("just_in_time", _("Just in time")),
    ("manual", _("Assigned by a manager")),
]


class ModuleSetting(models.Model):
    """An organisation's override of a module: its pass mark, or switching it off.

    A switched-off module is assigned to nobody from then on (onboarding, refreshes, other
    apps); work already assigned can still be finished and stays in the history.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="training_module_settings"
    )
    module_key = models.CharField(max_length=50)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), null=True, blank=True)
    enabled = models.BooleanField(_("assigned to staff"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "module_key"], name="training_setting_per_module"
            )
        ]


class CustomModule(models.Model):
    """A module written by the organisation: Markdown lessons and YAML quizzes, per language.

    Stored as the same text formats as the shipped library, and checked by the same validator,
    so a custom module behaves exactly like ours everywhere.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="training_custom_modules"
    )
    key = models.CharField(_("key"), max_length=50)
    roles = models.JSONField(_("roles"), default=list)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=80)
    minutes = models.PositiveSmallIntegerField(_("minutes to read"), default=5)
    lesson_en = models.TextField(_("lesson (English, Markdown)"), blank=True)
    lesson_es = models.TextField(_("lesson (Spanish, Markdown)"), blank=True)
    quiz_en = models.TextField(_("quiz (English, YAML)"), blank=True)
    quiz_es = models.TextField(_("quiz (Spanish, YAML)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="training_custom_key")
        ]

    def __str__(self) -> str:
        return self.key


class Assignment(models.Model):
    """One person asked to complete one module by a date, and why."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="training_assignments"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="training_assignments"
    )
    module_key = models.CharField(max_length=50, db_index=True)
    reason = models.CharField(_("reason"), max_length=20, choices=REASON_CHOICES)
    reason_detail = models.CharField(_("reason detail"), max_length=300, blank=True)
    assigned_by = models.CharField(max_length=200, default="system")
    assigned_at = models.DateTimeField()
    due_at = models.DateTimeField(_("due"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "module_key"]
        indexes = [models.Index(fields=["organisation", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.module_key}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None


class QuizAttempt(models.Model):
    """One submitted quiz. `missed` keeps question ids for the most-missed report."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="training_attempts"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="training_attempts")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="attempts"
    )
    module_key = models.CharField(max_length=50, db_index=True)
    language = models.CharField(max_length=2)
    answers = models.JSONField(default=dict)
    missed = models.JSONField(default=list)
    score = models.PositiveSmallIntegerField()
    passed = models.BooleanField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]


class Reminder(models.Model):
    """A message sent about an assignment: "assigned", "before-7", "after-1", "escalation"...

    Unique per (assignment, kind): the due jobs can run any number of times for the same
    moment and never send the same reminder twice.
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20)
    sent_to = models.EmailField()
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "kind"], name="training_reminder_once")
        ]
