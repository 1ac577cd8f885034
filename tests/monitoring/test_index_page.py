from typing import Any

from clinicshield.accounts.models import Organisation


def test_the_monitoring_page_says_it_is_not_set_up_until_a_source_reports(
    client_alice: Any, org_a: Organisation
) -> None:
    page = client_alice.get("/o/clinic-a/monitoring/").content.decode()
    assert "Not set up yet" in page
    assert "/o/clinic-a/monitoring/sources/" in page


def test_it_counts_sources_and_open_alerts(client_alice: Any, org_a: Organisation) -> None:
    from django.utils import timezone

    from clinicshield.monitoring.actions import do_raise_alert
    from clinicshield.monitoring.models import LogSource

    LogSource.objects.create(organisation=org_a, name="dc01", format="evtx")
    do_raise_alert(
        org_a,
        kind="password_spray",
        severity="high",
        key="password_spray:45.9.1.1",
        explanation={
            "code": "password_spray",
            "params": {"src_ip": "45.9.1.1", "users": 12, "failures": 12, "minutes": 60},
        },
        ts=timezone.now(),
        src_ip="45.9.1.1",
    )
    page = client_alice.get("/o/clinic-a/monitoring/").content.decode()
    assert "1 log source connected." in page and "1 open alert." in page
