"""The same batch posted many times at once to a real central `clinicshield serve` (two
gunicorn workers, threads in each): a sensor that timed out and retried while its first
post was still being stored, or two copies of a sensor sharing a spool. Each line is stored
once, whatever order the posts are handled in, and each post gets an answer that says so."""

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier
from typing import Any

import pytest

from clinicshield.accounts.core.site_signing import SiteCredential, sign
from clinicshield.monitoring.core.sensor_batch import encode_batch
from tests.cli import clinicshield
from tests.sensor.processes import auth_lines, stored
from tests.sensor.signed import header
from tests.sensor.test_central_restart import Central

POSTS = 12
MAKE_TOKEN = """
from clinicshield.accounts.actions import do_create_site, do_create_site_token
from clinicshield.accounts.models import Organisation
site = do_create_site(Organisation.objects.get(slug="chain"), "Norte", "test")
print(do_create_site_token(site, "pc", "test"))
"""


def post(url: str, token: str, body: bytes, start: Barrier) -> dict[str, Any]:
    """One signed post (its own nonce), sent when every thread is ready."""
    path = "/api/sensor/batches"
    headers = sign(SiteCredential.parse(token), "POST", path, body, time.time())
    request = urllib.request.Request(
        url + path,
        data=body,
        method="POST",
        headers={
            **headers,
            "Content-Type": "application/octet-stream",
            "Content-Encoding": "gzip",
        },
    )
    start.wait(30)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            code, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        code, text = error.code, error.read()
    try:
        return {"code": code, **json.loads(text)}
    except ValueError:  # a server error's page: kept to be shown by the assertion
        return {"code": code, "body": text[:300]}


@pytest.mark.real_clock(reason="gunicorn's worker heartbeat under libfaketime")
def test_the_same_batch_posted_at_once_is_stored_once(tmp_path: Path) -> None:
    central = Central(tmp_path / "central")
    central.data_dir.mkdir()
    assert (
        clinicshield(central.data_dir, "createorg", "--name", "Chain", "--slug", "chain").code == 0
    )
    made = clinicshield(central.data_dir, "shell", "-c", MAKE_TOKEN)
    [token] = [word for word in made.out.split() if word.startswith("cs_site_")]
    data = auth_lines(0, 400).encode()
    first = encode_batch(header(0, 400), data, "gzip")
    # The same lines again, cut differently, as a sensor that lost its state reads them.
    second = encode_batch(header(0, 600), data + auth_lines(400, 200).encode(), "gzip")
    central.start()
    try:
        start = Barrier(POSTS)
        with ThreadPoolExecutor(POSTS) as pool:
            bodies = [first] * (POSTS // 2) + [second] * (POSTS // 2)
            answers = list(pool.map(lambda body: post(central.url, token, body, start), bodies))
    finally:
        central.stop()
    assert {answer["code"] for answer in answers} == {200}, answers
    stored_posts = [answer for answer in answers if answer["status"] == "stored"]
    assert sum(answer["stored"] for answer in stored_posts) == 600
    assert len(stored_posts) in (1, 2)  # the longer batch first, or the shorter then the rest
    assert {answer["position"] for answer in answers} <= {400, 600}
    assert stored(central.data_dir, "chain") == (600, 600)
