"""The worker side of due jobs: one Huey periodic task per registered job, and a heartbeat."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, on_startup

from . import due
from .models import WorkerHeartbeat


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    WorkerHeartbeat.objects.update_or_create(name="worker", defaults={"last_seen": timezone.now()})


@on_startup()
def heartbeat_at_start() -> None:
    """Beat once as soon as the worker starts, not only at the next whole minute."""
    heartbeat.call_local()


def _schedule(job: due.DueJob) -> None:
    def run() -> None:
        due.run_job(job, timezone.now())

    run.__name__ = f"due_{job.name}"
    db_periodic_task(crontab(**job.cron), name=f"due.{job.name}")(run)


# djhuey may import this module before LibConfig.ready() has run: discover here too.
due.discover()
for _job in list(due.REGISTRY.values()):
    _schedule(_job)
