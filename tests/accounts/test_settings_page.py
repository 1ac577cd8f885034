from typing import Any

import pytest
from django.db import DatabaseError, connection

from clinicshield.accounts.models import AuditEntry, Organisation


def test_alice_changes_the_refresh_period_and_the_change_is_audited(
    client_alice: Any, org_a: Organisation
) -> None:
    response = client_alice.post(
        "/o/clinic-a/people/settings/",
        {
            "name": "Clínica A",
            "timezone": "Atlantic/Canary",
            "training_refresh_months": "12",
            "webhook_url": "https://hooks.clinic-a.example/cs",
        },
    )
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert (org_a.training_refresh_months, org_a.timezone) == (12, "Atlantic/Canary")
    entry = AuditEntry.objects.get(action="organisation.update")
    assert entry.details["changes"]["training_refresh_months"] == [6, 12]


def test_it_refuses_an_unknown_timezone(client_alice: Any, org_a: Organisation) -> None:
    response = client_alice.post(
        "/o/clinic-a/people/settings/",
        {"name": "A", "timezone": "Nowhere/City", "training_refresh_months": "6"},
    )
    assert "Unknown timezone Nowhere/City" in response.content.decode()
    org_a.refresh_from_db()
    assert org_a.timezone == "Europe/Madrid"


def test_rotating_the_webhook_secret_shows_the_new_one_once(
    client_alice: Any, org_a: Organisation
) -> None:
    old = org_a.webhook_secret
    page = client_alice.post("/o/clinic-a/people/settings/", {"rotate": "1"}).content.decode()
    org_a.refresh_from_db()
    assert org_a.webhook_secret != old and org_a.webhook_secret in page
    assert (
        org_a.webhook_secret
        not in client_alice.get("/o/clinic-a/people/settings/").content.decode()
    )


def test_bob_may_not_open_the_settings(client_bob: Any) -> None:
    assert client_bob.get("/o/clinic-a/people/settings/").status_code == 403


def refuse_retention_audits() -> None:
    """Make the database itself refuse the retention's audit entry: the last write of the
    settings page fails for real, after the other settings were written."""
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_retention_audit() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'retention audit refused'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_retention_audit BEFORE INSERT ON {table} FOR EACH ROW "
                "WHEN (NEW.action = 'organisation.events_retention') "
                "EXECUTE FUNCTION refuse_retention_audit()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER refuse_retention_audit BEFORE INSERT ON {table} "
                "WHEN NEW.action = 'organisation.events_retention' "
                "BEGIN SELECT RAISE(ABORT, 'retention audit refused'); END"
            )


def test_a_failing_retention_leaves_the_other_settings_unchanged(
    client_alice: Any, org_a: Organisation
) -> None:
    refuse_retention_audits()
    form = {
        "name": "Clínica A renamed",
        "timezone": "Atlantic/Canary",
        "training_refresh_months": "12",
        "events_retention_days": "365",
    }

    with pytest.raises(DatabaseError, match="retention audit refused"):
        client_alice.post("/o/clinic-a/people/settings/", form)

    org_a.refresh_from_db()
    assert (org_a.name, org_a.timezone, org_a.training_refresh_months) == (
        "Clínica A",
        "Europe/Madrid",
        6,
    )
    assert org_a.events_retention_days is None
    assert not AuditEntry.objects.filter(action="organisation.update").exists()
