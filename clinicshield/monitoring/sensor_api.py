"""POST /api/monitoring/sensor/batches: site sensors' log lines into the event store.

The body is one batch (``core/sensor_batch.py``), compressed (``Content-Encoding: zstd``
or ``gzip``) and signed with the site token. Answers: 200 with what was stored (or
``duplicate`` for a batch the server already holds), 400 for a batch that cannot be
read, 401 for a refused signature or token, 409 when lines before the batch are missing,
413 past CLINICSHIELD_SENSOR_MAX_BATCH_MB.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from clinicshield.sensor.auth import SiteSignatureAuth, request_body

from .actions.sensor_batches import do_ingest_sensor_batch

router = Router(tags=["sensor"], auth=SiteSignatureAuth())


@router.post("/batches")
def post_batch(request: HttpRequest) -> dict[str, Any]:
    token: Any = request.auth  # type: ignore[attr-defined]
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    outcome = do_ingest_sensor_batch(token.site, request_body(request), encoding)
    return outcome.as_dict()
