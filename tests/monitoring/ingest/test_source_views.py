"""The log sources page and the event search, for members only."""

from pathlib import Path
from typing import Any

from django.test import Client

from clinicshield.monitoring.actions import do_ingest_files
from tests.monitoring.ingest.helpers import FIXTURES, write


def _ingest(org: Any, tmp_path: Path) -> None:
    path = write(
        tmp_path / "auth.log",
        [
            "Mar  3 08:16:10 web1 sshd[1]: Failed password for oracle from 203.0.113.5 port 1 ssh2",
            "Mar  3 08:17:10 web1 sshd[2]: Accepted password for ana from 83.44.10.20 port 2 ssh2",
            "a line that is not syslog",
        ],
    )
    do_ingest_files(org, [path], year=2026, tz="UTC")
    do_ingest_files(org, [FIXTURES / "entra_signins_page.json"])


def test_the_sources_page_shows_last_event_counts_and_quarantine(
    client_alice: Client, org_a: Any, tmp_path: Path
) -> None:
    _ingest(org_a, tmp_path)
    page = client_alice.get(f"/o/{org_a.slug}/monitoring/sources/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "syslog" in text and "entra" in text
    assert "a line that is not syslog" in text and "line 3" in text
    assert "does not start with a syslog header" in text
    assert "2026-03-02" in text and "2026-03-03" in text  # events per day


def test_the_event_search_filters_by_user_ip_and_text(
    client_bob: Client, org_a: Any, tmp_path: Path
) -> None:
    _ingest(org_a, tmp_path)
    url = f"/o/{org_a.slug}/monitoring/events/"
    by_user = client_bob.get(url, {"kind": "auth", "user": "ORACLE"}).content.decode()
    assert "203.0.113.5" in by_user and "83.44.10.20" not in by_user
    by_ip = client_bob.get(url, {"ip": "105.112.7.9"}).content.decode()
    assert "luis.martin" in by_ip and "oracle" not in by_ip
    by_text = client_bob.get(url, {"q": "teams"}).content.decode()
    assert "luis.martin" in by_text and "ana.garcia" not in by_text
    nothing = client_bob.get(url, {"kind": "flow"}).content.decode()
    assert "No events match." in nothing


def test_another_organisation_sees_nothing_of_it(
    client_charlie: Client, org_a: Any, org_b: Any, tmp_path: Path
) -> None:
    _ingest(org_a, tmp_path)
    assert client_charlie.get(f"/o/{org_a.slug}/monitoring/sources/").status_code == 404
    assert client_charlie.get(f"/o/{org_a.slug}/monitoring/events/").status_code == 404
    own = client_charlie.get(f"/o/{org_b.slug}/monitoring/events/", {"user": "oracle"})
    assert own.status_code == 200 and "203.0.113.5" not in own.content.decode()
