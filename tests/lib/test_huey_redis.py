"""With CLINICSHIELD_REDIS_URL set, background jobs go through a real Redis."""

import os
import subprocess
import sys
from pathlib import Path

from tests.system import need

REDIS_URL = "redis://127.0.0.1:6379/15"

SCRIPT = """
import django
django.setup()
from huey.contrib.djhuey import HUEY
from clinicshield.lib.tasks import heartbeat
print(type(HUEY).__name__)
HUEY.flush()
heartbeat()
print(len(HUEY))
task = HUEY.dequeue()
HUEY.execute(task)
from clinicshield.lib.models import WorkerHeartbeat
print(WorkerHeartbeat.objects.count())
"""


def redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except Exception:  # noqa: BLE001 - any failure means: no Redis here
        return False


def test_jobs_queue_and_run_through_redis(tmp_path: Path) -> None:
    need(redis_answers(), "no Redis answers on 127.0.0.1:6379")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICSHIELD_")}
    env.update(
        CLINICSHIELD_DATA_DIR=str(tmp_path),
        CLINICSHIELD_REDIS_URL=REDIS_URL,
        DJANGO_SETTINGS_MODULE="clinicshield.settings",
    )
    subprocess.run(
        [sys.executable, "-m", "clinicshield.cli", "migrate", "-v0"], env=env, check=True
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["LeasedRedisHuey", "1", "1"]
