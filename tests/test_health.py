from typing import Any

from django.test import Client
from django.utils import timezone

from clinicshield.lib.models import WorkerHeartbeat


def test_healthz_reports_the_database_and_an_unknown_worker(db: Any) -> None:
    body = Client().get("/healthz").json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["worker"] == "unknown"


def test_healthz_sees_a_recent_worker_heartbeat(db: Any) -> None:
    from clinicshield.lib.tasks import heartbeat

    heartbeat.call_local()
    assert WorkerHeartbeat.objects.get().last_seen <= timezone.now()
    assert Client().get("/healthz").json()["worker"] == "ok"
