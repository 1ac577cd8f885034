"""Migration 0005 moves an older installation's recovery codes, kept in the clear by
django-otp's static tokens, to hashes; the unused codes keep working."""

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from tests.conftest import PASSWORD

OTP_STATIC = ("otp_static", "0003_add_timestamps")
BEFORE = [("accounts", "0004_organisation_events_retention")]
AFTER = [("accounts", "0005_recovery_codes")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrates to ``targets``; the models as they were then (django-otp's included)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([*targets, OTP_STATIC]).apps


@pytest.mark.django_db(transaction=True)
def test_the_old_clear_codes_become_hashes_and_still_work(alice: Any, settings: Any) -> None:
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    old = _migrate(BEFORE)
    device = old.get_model("otp_static", "StaticDevice").objects.create(
        user_id=alice.pk, name="recovery"
    )
    for token in ("abcd2345", "efgh6723"):
        device.token_set.create(token=token)
    try:
        new = _migrate(AFTER)
        assert not old.get_model("otp_static", "StaticToken").objects.exists()
        kept = new.get_model("accounts", "RecoveryCodes").objects.get(user_id=alice.pk)
        assert len(kept.code_hashes) == 2 and "abcd2345" not in str(kept.code_hashes)
    finally:
        MigrationExecutor(connection).migrate(_latest())
    client = Client()
    client.post("/accounts/login/", {"email": alice.email, "password": PASSWORD})
    assert client.post("/accounts/verify/", {"code": "EFGH 6723"}).status_code == 302


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
