"""A network whose scans keep failing shows: it is tried again within the hour, and the
dashboard's scan age is that of the network seen longest ago, not of its healthy neighbour."""

from datetime import UTC, datetime, timedelta

from clinicshield.accounts.models import Organisation, Site
from clinicshield.exposure.models import Network, Scan
from clinicshield.exposure.posture import exposure_posture
from clinicshield.exposure.queries import networks_due

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def network(org: Organisation, site: Site, cidr: str, every: int = 7) -> Network:
    made = Network.objects.create(
        organisation=org, site=site, zone="admin", cidr=cidr, scan_every_days=every
    )
    Network.objects.filter(pk=made.pk).update(created_at=NOW - timedelta(days=60))
    return Network.objects.get(pk=made.pk)


def scan(net: Network, status: str, days_ago: float) -> Scan:
    at = NOW - timedelta(days=days_ago)
    made = Scan.objects.create(
        organisation=net.organisation,
        network=net,
        targets=net.cidr,
        status=status,
        finished_at=at if status in ("done", "failed") else None,
    )
    Scan.objects.filter(pk=made.pk).update(created_at=at)
    return made


def test_a_failed_scheduled_scan_is_tried_again_after_an_hour_not_a_week(
    org_a: Organisation,
) -> None:
    site = Site.objects.create(organisation=org_a, name="Sevilla")
    failing, healthy = network(org_a, site, "10.1.0.0/24"), network(org_a, site, "10.2.0.0/24")
    scan(failing, "failed", days_ago=2 / 24)  # two hours ago
    scan(healthy, "done", days_ago=2 / 24)
    assert networks_due(NOW) == [failing]
    scan(failing, "failed", days_ago=0.5 / 24)  # its retry failed too, half an hour ago
    assert networks_due(NOW) == []


def test_the_scan_age_is_that_of_the_network_seen_longest_ago(org_a: Organisation) -> None:
    sevilla = Site.objects.create(organisation=org_a, name="Sevilla")
    cadiz = Site.objects.create(organisation=org_a, name="Cádiz")
    failing, healthy = (
        network(org_a, sevilla, "10.1.0.0/24"),
        network(org_a, sevilla, "10.2.0.0/24"),
    )
    scan(failing, "done", days_ago=40)
    for days_ago in (33, 26, 19, 12, 5):  # every scheduled scan since has failed
        scan(failing, "failed", days_ago=days_ago)
    scan(healthy, "done", days_ago=1)
    never = network(org_a, cadiz, "10.3.0.0/24")  # registered 60 days ago, never scanned
    scan(network(org_a, cadiz, "10.4.0.0/24"), "done", days_ago=3)
    figures = exposure_posture(org_a, NOW)
    assert figures["sites"][sevilla.pk]["days_since_last_scan"] == 40
    assert figures["sites"][cadiz.pk]["days_since_last_scan"] == 60
    assert figures["org"]["days_since_last_scan"] == 60
    scan(never, "done", days_ago=0)
    assert exposure_posture(org_a, NOW)["org"]["days_since_last_scan"] == 40


def test_a_site_whose_networks_were_never_scanned_says_so(org_a: Organisation) -> None:
    site = Site.objects.create(organisation=org_a, name="Sevilla")
    scan(network(org_a, site, "10.1.0.0/24"), "failed", days_ago=1)
    figures = exposure_posture(org_a, NOW)
    assert figures["sites"][site.pk]["days_since_last_scan"] is None
    assert figures["org"]["days_since_last_scan"] is None
