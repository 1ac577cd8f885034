"""State of the dashboard app: the daily score history and the monthly reports sent."""

from django.db import models
from django.db.models import Q

from clinicshield.accounts.models import Organisation, Site


class ScoreSnapshot(models.Model):
    """The score of an organisation (site empty) or of one of its sites on one day.

    The organisation's row keeps the whole score document (components with evidence), so a
    past month's report can say what was measured then; a site's row keeps points only.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="score_snapshots"
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="score_snapshots"
    )
    day = models.DateField()
    total = models.PositiveSmallIntegerField()
    points = models.JSONField(default=dict)  # component key -> points
    document = models.JSONField(default=dict, blank=True)
    measured_at = models.DateTimeField()

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day"],
                condition=Q(site__isnull=True),
                name="one_org_snapshot_a_day",
            ),
            models.UniqueConstraint(fields=["site", "day"], name="one_site_snapshot_a_day"),
        ]
        indexes = [models.Index(fields=["organisation", "site", "day"])]


class MonthlyReport(models.Model):
    """A monthly report emailed to the owners: one per organisation and month, ever."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="monthly_reports"
    )
    month = models.CharField(max_length=7)  # YYYY-MM
    sent_at = models.DateTimeField()
    recipients = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="one_report_a_month")
        ]
