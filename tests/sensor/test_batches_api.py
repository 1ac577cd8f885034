"""POST /api/sensor/batches: the same parsers and quarantine as `ingest`, each
line stored once whatever is sent twice, and every refusal says why."""

import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.test import Client

from clinicshield.accounts.actions import do_create_site_token, do_revoke_site_token
from clinicshield.accounts.core.site_signing import SiteCredential
from clinicshield.accounts.models import Organisation, SiteToken
from clinicshield.monitoring.actions import sensor_batches
from clinicshield.monitoring.core import store_layout
from clinicshield.monitoring.core.sensor_batch import encode_batch
from clinicshield.monitoring.models import LogSource
from tests.sensor.signed import auth_lines, header, post_batch, signed_headers

PATH = "/api/sensor/batches"


@pytest.fixture
def token(org_a: Organisation) -> str:
    return do_create_site_token(org_a.sites.get(), "pc1", "test")


def stored_refs(data_dir: Path, org: str) -> list[str]:
    glob = str(data_dir / "events" / f"org={org}" / "kind=auth" / "day=*" / "*.parquet")
    if not list(data_dir.glob(f"events/org={org}/kind=auth/day=*/*.parquet")):
        return []
    rows = duckdb.execute("SELECT record_ref FROM read_parquet($glob)", {"glob": glob}).fetchall()
    return sorted(r[0] for r in rows)


def test_it_stores_a_batch_with_the_sites_name_on_its_source(
    client: Client, token: str, org_a: Organisation, data_dir: Path
) -> None:
    response = post_batch(client, token, header(0, 40), auth_lines(0, 40))
    assert response.status_code == 200, response.content
    assert response.json() | {"batch": ""} == {
        "batch": "",
        "status": "stored",
        "stored": 40,
        "quarantined": 0,
        "position": 40,
    }
    assert len(stored_refs(data_dir, "clinic-a")) == 40
    site = org_a.sites.get()
    source = LogSource.objects.get(organisation=org_a)
    assert source.name == f"madrid-{site.pk}/pc1/auth.log"
    assert source.events_stored == 40 and source.records_read == 40
    site.refresh_from_db()
    assert site.sensor_last_seen is not None


def test_a_batch_sent_again_is_acknowledged_and_not_stored_twice(
    client: Client, token: str, data_dir: Path
) -> None:
    assert post_batch(client, token, header(0, 30), auth_lines(0, 30)).status_code == 200
    again = post_batch(client, token, header(0, 30), auth_lines(0, 30))
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    # a batch cut differently (a sensor whose state was lost reads the file again)
    overlap = post_batch(client, token, header(20, 50), auth_lines(20, 30), "gzip")
    assert overlap.json()["stored"] == 20 and overlap.json()["position"] == 50
    refs = stored_refs(data_dir, "clinic-a")
    assert len(refs) == len(set(refs)) == 50


def test_a_batch_past_a_gap_is_refused_with_409(client: Client, token: str) -> None:
    response = post_batch(client, token, header(10, 20), auth_lines(10, 10))
    assert response.status_code == 409
    assert response.json()["code"] == "gap"
    assert "0 lines the server holds" in response.json()["message"]


def test_unreadable_lines_are_quarantined_as_ingest_does(
    client: Client, token: str, data_dir: Path
) -> None:
    data = auth_lines(0, 3) + b"this is not syslog at all\n"
    response = post_batch(client, token, header(0, 4), data)
    assert response.json()["stored"] == 3 and response.json()["quarantined"] == 1
    quarantine = data_dir / "quarantine" / "org=clinic-a"
    query = "SELECT reason, raw FROM read_parquet($glob)"
    row = duckdb.execute(query, {"glob": f"{quarantine}/*.parquet"}).fetchone()
    assert row == ("not_syslog", "this is not syslog at all")


def test_a_header_that_miscounts_its_lines_is_refused(client: Client, token: str) -> None:
    response = post_batch(client, token, header(0, 5), auth_lines(0, 4))
    assert response.status_code == 400
    assert "says 5 lines (0-5) and the batch holds 4" in response.json()["message"]


def test_a_batch_too_large_once_decompressed_is_refused_with_413(
    client: Client, token: str, settings: Any
) -> None:
    settings.SENSOR_MAX_BATCH_MB = 1
    lines = auth_lines(0, 12000)  # about 1.1 MiB, a few KiB compressed
    response = post_batch(client, token, header(0, 12000), lines)
    assert response.status_code == 413 and response.json()["code"] == "batch_too_large"


def test_it_refuses_an_unknown_token(client: Client, token: str, org_a: Organisation) -> None:
    stranger = SiteCredential("ffffffffffffffff", "0" * 64).token()
    response = post_batch(client, stranger, header(0, 1), auth_lines(0, 1))
    assert response.status_code == 401 and response.json()["code"] == "unknown_token"


def test_it_refuses_a_revoked_token_saying_so(client: Client, token: str) -> None:
    stored = SiteToken.objects.get(key_id=SiteCredential.parse(token).key_id)
    do_revoke_site_token(stored, "test")
    response = post_batch(client, token, header(0, 1), auth_lines(0, 1))
    assert response.status_code == 401 and response.json()["code"] == "token_revoked"
    assert "make a new one on the site's page" in response.json()["message"]


def test_it_refuses_a_bad_signature(client: Client, token: str) -> None:
    body = encode_batch(header(0, 1), auth_lines(0, 1))
    headers = signed_headers(token, "POST", PATH, body)
    tampered = encode_batch(header(0, 1), auth_lines(1, 1))  # one line changed after signing
    response = client.post(PATH, tampered, content_type="application/octet-stream", headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"
    forged = SiteCredential(SiteCredential.parse(token).key_id, "1" * 64).token()
    response = client.post(
        PATH,
        body,
        content_type="application/octet-stream",
        headers=signed_headers(forged, "POST", PATH, body),
    )
    assert response.json()["code"] == "bad_signature"


def test_it_refuses_a_replayed_request(client: Client, token: str, data_dir: Path) -> None:
    body = encode_batch(header(0, 2), auth_lines(0, 2))
    headers = {**signed_headers(token, "POST", PATH, body), "Content-Encoding": "zstd"}
    first = client.post(PATH, body, content_type="application/octet-stream", headers=headers)
    assert first.status_code == 200
    replay = client.post(PATH, body, content_type="application/octet-stream", headers=headers)
    assert replay.status_code == 401 and replay.json()["code"] == "replayed"


def test_it_refuses_a_request_signed_too_long_ago(client: Client, token: str) -> None:
    body = encode_batch(header(0, 1), auth_lines(0, 1))
    old = signed_headers(token, "POST", PATH, body, now=time.time() - 3600)
    response = client.post(PATH, body, content_type="application/octet-stream", headers=old)
    assert response.status_code == 401 and response.json()["code"] == "stale_request"


def test_an_organisation_api_token_cannot_post_batches(client: Client, org_a: Organisation) -> None:
    from clinicshield.accounts.actions import do_create_api_token

    api_token = do_create_api_token(org_a, "automation", "owner", "test")
    body = encode_batch(header(0, 1), auth_lines(0, 1))
    response = client.post(
        PATH,
        body,
        content_type="application/octet-stream",
        headers={"Authorization": f"Bearer {api_token}"},
    )
    assert response.status_code == 401 and response.json()["code"] == "unsigned"


def test_a_site_token_of_organisation_a_stores_only_into_organisation_a(
    client: Client, token: str, org_b: Organisation, data_dir: Path
) -> None:
    token_b = do_create_site_token(org_b.sites.get(), "pc1", "test")
    assert post_batch(client, token, header(0, 5), auth_lines(0, 5)).status_code == 200
    assert post_batch(client, token_b, header(0, 7), auth_lines(0, 7)).status_code == 200
    assert len(stored_refs(data_dir, "clinic-a")) == 5
    assert len(stored_refs(data_dir, "clinic-b")) == 7
    # The same stream name in two organisations is two streams: B's first batch was stored.
    assert LogSource.objects.get(organisation=org_b).events_stored == 7


def test_a_batch_cut_short_by_a_crash_is_stored_once_when_sent_again(
    client: Client, token: str, data_dir: Path
) -> None:
    """The server dies after writing a batch's files and before moving the checkpoint:
    the sensor had no answer, so it sends those lines again, and they are stored once."""
    assert post_batch(client, token, header(0, 10), auth_lines(0, 10)).status_code == 200
    checkpoints = list((data_dir / "checkpoints" / "org=clinic-a").glob("*.json"))
    assert len(checkpoints) == 1
    before = checkpoints[0].read_bytes()
    assert post_batch(client, token, header(10, 30), auth_lines(10, 20)).status_code == 200
    checkpoints[0].write_bytes(before)  # as if the crash came before the checkpoint moved
    assert len(stored_refs(data_dir, "clinic-a")) == 30  # the orphan files are there
    # sent again cut differently (the file grew meanwhile): other file names, same lines
    again = post_batch(client, token, header(10, 40), auth_lines(10, 30))
    assert again.json()["status"] == "stored"
    refs = stored_refs(data_dir, "clinic-a")
    assert len(refs) == len(set(refs)) == 40


def test_a_batch_of_another_stream_is_stored_while_a_stream_is_being_stored(
    client: Client, token: str, org_a: Organisation, data_dir: Path
) -> None:
    """Batches of one organisation's streams are stored side by side: with one stream's
    batch in progress (both its locks held, as the request storing it holds them), a
    batch of another stream of the same site goes through."""
    busy = f"sensor/{org_a.sites.get().pk}/pc1/auth.log/0123456789abcdef"
    with (
        sensor_batches._sensor_lock(org_a, busy),
        store_layout.writer_lock(data_dir, "clinic-a", store_layout.stream_writer(busy)),
    ):
        response = post_batch(
            client, token, header(0, 5, stream="fedcba9876543210"), auth_lines(0, 5)
        )
    assert response.status_code == 200 and response.json()["stored"] == 5
    assert len(stored_refs(data_dir, "clinic-a")) == 5
