"""The dashboard names the sites whose sensor went silent (or never spoke)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from clinicshield.accounts.actions import do_create_site, do_create_site_token
from clinicshield.accounts.models import Organisation, Site, SiteToken
from clinicshield.accounts.queries import silent_sensor_sites
from clinicshield.dashboard.queries import overview

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def sites_with_sensors(org: Organisation) -> None:
    """Madrid's sensor spoke 5 minutes ago, Sevilla's 3 hours ago, Bilbao's never (its
    token is two days old); Vigo has no sensor at all. Times are set by ``as_of``."""
    for name in ("Sevilla", "Bilbao", "Vigo"):
        do_create_site(org, name, "test")
    for site in Site.objects.filter(organisation=org, name__in=["Madrid", "Sevilla", "Bilbao"]):
        do_create_site_token(site, "pc", "test")


def as_of(now: datetime) -> None:
    SiteToken.objects.update(created_at=now - timedelta(days=2))
    Site.objects.filter(name="Madrid").update(sensor_last_seen=now - timedelta(minutes=5))
    Site.objects.filter(name="Sevilla").update(sensor_last_seen=now - timedelta(hours=3))


def test_sites_silent_past_the_setting_are_listed_with_when_they_last_spoke(
    org_a: Organisation, settings: Any
) -> None:
    settings.SENSOR_SILENT_MINUTES = 15
    sites_with_sensors(org_a)
    as_of(NOW)
    silent = {s.site.name: s.last_seen for s in silent_sensor_sites(org_a, NOW)}
    assert silent == {"Sevilla": NOW - timedelta(hours=3), "Bilbao": None}
    settings.SENSOR_SILENT_MINUTES = 240
    assert [s.site.name for s in silent_sensor_sites(org_a, NOW)] == ["Bilbao"]


def test_a_new_token_is_not_silent_before_it_had_time_to_speak(org_a: Organisation) -> None:
    do_create_site_token(org_a.sites.get(), "pc", "test")
    SiteToken.objects.update(created_at=NOW - timedelta(minutes=2))
    assert silent_sensor_sites(org_a, NOW) == []


def test_the_overview_names_them(client_alice: Any, org_a: Organisation) -> None:
    sites_with_sensors(org_a)
    as_of(NOW)
    assert overview(org_a, NOW)["silent_sensor_count"] == 2
    as_of(timezone.now())  # the page measures at the real time: the same story
    page = client_alice.get("/o/clinic-a/dashboard/").content.decode()
    assert "2 sites whose sensor went silent" in page
    assert "Sevilla</a>: last heard from at" in page and "Bilbao</a>: never heard from" in page
    assert "Vigo</a>" not in page and "Madrid</a>:" not in page


def test_charlie_does_not_see_alices_silent_sites(
    client_charlie: Any, org_a: Organisation, org_b: Organisation
) -> None:
    sites_with_sensors(org_a)
    as_of(timezone.now())
    page = client_charlie.get("/o/clinic-b/dashboard/").content.decode()
    assert "Sevilla" not in page and "went silent" not in page
