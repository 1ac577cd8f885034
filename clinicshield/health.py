"""GET /healthz: is the database answering, and has the worker beaten in the last minutes?"""

from datetime import timedelta

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from clinicshield.lib.models import WorkerHeartbeat

WORKER_GRACE = timedelta(minutes=3)


def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception as error:  # noqa: BLE001 - the health page reports, it does not crash
        database = f"error: {type(error).__name__}"
    beat = WorkerHeartbeat.objects.filter(name="worker").first() if database == "ok" else None
    if beat is None:
        worker = "unknown"
    elif timezone.now() - beat.last_seen <= WORKER_GRACE:
        worker = "ok"
    else:
        worker = "stale"
    status = "ok" if database == "ok" else "error"
    return JsonResponse(
        {
            "status": status,
            "database": database,
            "database_engine": connection.vendor,
            "worker": worker,
            "worker_last_seen": beat.last_seen.isoformat() if beat else None,
        },
        status=200 if status == "ok" else 503,
    )
