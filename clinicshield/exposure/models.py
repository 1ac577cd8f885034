"""State of the exposure app: networks, scans and what they found, policy and probe runs."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from clinicshield.accounts.models import Organisation, Site

from .core.coverage import Coverage, coverage_of

ZONE_CHOICES = [
    ("clinical", _("Clinical")),
    ("lab", _("Laboratory")),
    ("admin", _("Administration")),
    ("guest", _("Guest Wi-Fi")),
    ("servers", _("Servers")),
    ("devices", _("Medical devices")),
]
SEVERITY_CHOICES = [
    ("info", _("Information")),
    ("low", _("Low")),
    ("medium", _("Medium")),
    ("high", _("High")),
    ("critical", _("Critical")),
]


class Network(models.Model):
    """A registered network: the only addresses scans and probes may target."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="networks"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="networks")
    zone = models.CharField(_("zone"), max_length=20, choices=ZONE_CHOICES)
    cidr = models.CharField(_("CIDR"), max_length=64)
    ports = models.CharField(_("ports for scheduled scans"), max_length=200, default="clinic")
    scan_every_days = models.PositiveSmallIntegerField(_("scan every (days, 0 = never)"), default=7)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site__name", "cidr"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "cidr"], name="network_cidr_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.cidr} ({self.zone})"


class Scan(models.Model):
    STATUS_CHOICES = [
        ("queued", _("Queued")),
        ("running", _("Running")),
        ("done", _("Done")),
        ("failed", _("Failed")),
    ]
    SOURCE_CHOICES = [
        ("scanner", _("ClinicShield scanner")),
        ("nmap", _("nmap run")),
        ("nmap-xml", _("nmap XML import")),
    ]
    # Who runs a queued scan: a central worker, or the sensor of the network's site (a
    # network whose site has a live site token; docs/exposure.md, "Scans run by a site").
    RUNNER_CHOICES = [("worker", _("Central worker")), ("sensor", _("Site sensor"))]

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="scans")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="scans")
    targets = models.TextField(_("targets"))
    ports = models.CharField(_("ports"), max_length=200, default="clinic")
    source = models.CharField(max_length=10, choices=SOURCE_CHOICES, default="scanner")
    from_zone = models.CharField(_("run from zone"), max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default="queued")
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    requested_by = models.CharField(max_length=200, blank=True)
    runner = models.CharField(max_length=10, choices=RUNNER_CHOICES, default="worker")
    sensor = models.CharField(max_length=100, blank=True)  # the site sensor that took it
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    hosts_up = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"scan {self.pk} of {self.network.cidr}"

    @property
    def coverage(self) -> Coverage:
        """The addresses this scan targeted and the ports it asked them."""
        return coverage_of(self.targets, self.ports, self.source)


class Finding(models.Model):
    """An open port seen by one scan, with its risk in the network's zone."""

    CHANGE_CHOICES = [("new", _("New")), ("unchanged", _("Unchanged"))]

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="findings")
    address = models.GenericIPAddressField()
    port = models.PositiveIntegerField()
    proto = models.CharField(max_length=3, default="tcp")
    service = models.CharField(max_length=40, default="unknown")
    product = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    severity = models.CharField(max_length=10, choices=SEVERITY_CHOICES)
    reason = models.CharField(max_length=40)
    change = models.CharField(max_length=10, choices=CHANGE_CHOICES)

    class Meta:
        ordering = ["address", "port"]
        indexes = [models.Index(fields=["organisation", "address"])]


class Change(models.Model):
    """Drift: a difference between a scan and the previous scan of the same network."""

    KIND_CHOICES = [
        ("new_port", _("New open port")),
        ("closed_port", _("Port closed")),
        ("new_host", _("New host")),
        ("gone_host", _("Host gone")),
        ("changed_service", _("Service changed")),
    ]

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    address = models.GenericIPAddressField()
    port = models.PositiveIntegerField(null=True, blank=True)
    proto = models.CharField(max_length=3, default="tcp")
    before = models.CharField(max_length=200, blank=True)
    after = models.CharField(max_length=200, blank=True)
    severity = models.CharField(max_length=10, choices=SEVERITY_CHOICES, default="info")

    class Meta:
        ordering = ["-scan__created_at", "address", "port"]


class SegmentationPolicy(models.Model):
    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="segmentation_policy"
    )
    text = models.TextField(_("policy (YAML)"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=200, blank=True)


class ProbeRun(models.Model):
    """One run of the policy's reachability tests from one zone."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="probes")
    zone = models.CharField(max_length=60)
    ran_at = models.DateTimeField()
    # [{"rule": i, "from", "to", "action", "verdict", "reason", "evidence": [[addr, port, state]]}]
    verdicts = models.JSONField(default=list)
    controls = models.JSONField(default=list)  # [[addr, port, state]]

    class Meta:
        ordering = ["-ran_at", "-id"]
