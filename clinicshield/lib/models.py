"""State shared by every app: the worker's heartbeat and the record of due-job runs."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """Written by the background worker every minute, so /healthz can tell whether it runs."""

    name = models.CharField(max_length=100, unique=True)
    last_seen = models.DateTimeField()


class DueJobRun(models.Model):
    """One run of a periodic job, for operators and for the health page."""

    job = models.CharField(max_length=100)
    now = models.DateTimeField(help_text="The moment the job was run for.")
    started_at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField(default=True)
    summary = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["job", "-started_at"])]
