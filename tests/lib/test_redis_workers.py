"""Two real worker processes on one real Redis: a worker killed with SIGKILL mid-job loses
nothing, and no job that finished runs again (docs/decisions/0018-workers-on-redis.md)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.system import need

REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of its own, flushed before and after
ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3
JOBS = 16
JOB_SECONDS = 1.0

BOOT = (
    "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'clinicshield.settings');"
    "django.setup(); import tests.lib.redis_worker_jobs as jobs;"
)
CONSUMER = BOOT + "from clinicshield.cli import main; main(['clinicshield', 'run_huey', '-w', '2'])"
ENQUEUE = BOOT + f"[jobs.record_job(i, {JOB_SECONDS}) for i in range({JOBS})]"


def redis_client() -> object:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except Exception:  # noqa: BLE001 - any failure means: no Redis here
        need(False, "no Redis answers on 127.0.0.1:6379")
    return client


@pytest.fixture
def redis_db() -> Iterator[object]:
    client = redis_client()
    client.flushdb()  # type: ignore[attr-defined]
    yield client
    client.flushdb()  # type: ignore[attr-defined]


def worker_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICSHIELD_")}
    env.update(
        CLINICSHIELD_DATA_DIR=str(data_dir),
        CLINICSHIELD_REDIS_URL=REDIS_URL,
        CLINICSHIELD_WORKER_LEASE_SECONDS=str(LEASE_SECONDS),
        DJANGO_SETTINGS_MODULE="clinicshield.settings",
    )
    return env


def prepare_database(env: dict[str, str], data_dir: Path) -> sqlite3.Connection:
    from tests.lib.redis_worker_jobs import TABLES

    migrate = [sys.executable, "-m", "clinicshield.cli", "migrate", "-v0"]
    subprocess.run(migrate, env=env, check=True, cwd=ROOT, timeout=120)
    database = sqlite3.connect(data_dir / "clinicshield.sqlite3", timeout=20)
    for statement in TABLES:
        database.execute(statement)
    database.commit()
    return database


def start_consumer(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-c", CONSUMER],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def rows(database: sqlite3.Connection, sql: str) -> list[tuple[int, int]]:
    return [tuple(row) for row in database.execute(sql)]  # type: ignore[misc]


def in_flight_of(database: sqlite3.Connection, pid: int, since: float = 0.0) -> set[int]:
    """Jobs `pid` started (after `since`, a time.time()) and has not finished."""
    query = "SELECT job_id, pid FROM job_start WHERE at >= ?"
    started = {job for job, who in database.execute(query, [since]) if who == pid}
    done = {job for job, _ in rows(database, "SELECT job_id, pid FROM job_done")}
    return started - done


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # graceful: finish the job in hand, then exit
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# The surviving worker puts back the dead one's jobs from its lease keeper, a loop that waits
# with Event.wait(timeout): under libfaketime (0.9.10) that wait never ends, so nothing would
# ever be put back. Nothing this test checks depends on the date.
@pytest.mark.real_clock(reason="the lease keeper's Event.wait(timeout) never returns")
def test_a_worker_killed_mid_job_loses_nothing_and_nothing_finished_runs_twice(
    tmp_path: Path, redis_db: object
) -> None:
    env = worker_env(tmp_path)
    database = prepare_database(env, tmp_path)
    victim = start_consumer(env, tmp_path / "victim.log")
    survivor = start_consumer(env, tmp_path / "survivor.log")
    try:
        wait_for(lambda: redis_db.scard("huey.consumers.clinicshield") == 2, 60, "two leases")  # type: ignore[attr-defined]
        subprocess.run([sys.executable, "-c", ENQUEUE], env=env, cwd=ROOT, check=True, timeout=60)
        # Kill the victim inside a job it started less than half a job ago, once some are done.
        wait_for(
            lambda: (
                len(rows(database, "SELECT job_id, pid FROM job_done")) >= 4
                and in_flight_of(database, victim.pid, since=time.time() - JOB_SECONDS / 2)
            ),
            30,
            "the victim to be mid-job",
        )
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        lost_with_victim = in_flight_of(database, victim.pid)
        assert lost_with_victim, "the kill was meant to land mid-job"
        wait_for(
            lambda: len(rows(database, "SELECT job_id, pid FROM job_done")) == JOBS,
            JOBS * JOB_SECONDS + 4 * LEASE_SECONDS + 30,
            "every job to be done",
        )
    finally:
        if victim.poll() is None:
            victim.kill()
        victim.wait(timeout=10)
        stop(survivor)

    done = rows(database, "SELECT job_id, pid FROM job_done")
    assert sorted(job for job, _ in done) == list(range(JOBS))
    starts = Counter(job for job, _ in rows(database, "SELECT job_id, pid FROM job_start"))
    # Exactly the jobs the victim was running when it died ran a second time, on the survivor.
    assert {job for job, count in starts.items() if count > 1} == lost_with_victim
    assert max(starts.values()) == 2
    assert all(pid == survivor.pid for job, pid in done if job in lost_with_victim)
    assert redis_db.zcard("huey.redis.clinicshield") == 0  # type: ignore[attr-defined]
    leftovers = list(redis_db.scan_iter("huey.inflight.clinicshield.*"))  # type: ignore[attr-defined]
    assert [redis_db.hlen(key) for key in leftovers] == [0] * len(leftovers)  # type: ignore[attr-defined]
    assert "put back" in (tmp_path / "survivor.log").read_text()


def test_each_periodic_job_is_queued_once_a_minute_across_consumers(redis_db: object) -> None:
    from clinicshield.lib.leased_huey import LeasedRedisHuey

    first = LeasedRedisHuey("periodic-test", url=REDIS_URL)
    second = LeasedRedisHuey("periodic-test", url=REDIS_URL)
    for huey in (first, second):
        huey.periodic_task(lambda dt: True, name="every_minute")(lambda: None)
    minute = datetime(2027, 3, 1, 9, 30, 5)
    assert [len(first.read_periodic(minute)), len(second.read_periodic(minute))] == [1, 0]
    later_in_minute = minute.replace(second=50)
    assert len(second.read_periodic(later_in_minute)) == 0
    next_minute = minute.replace(minute=31)
    assert [len(second.read_periodic(next_minute)), len(first.read_periodic(next_minute))] == [1, 0]


def test_a_dead_consumers_scheduled_and_queued_jobs_go_back_where_they_were(
    redis_db: object,
) -> None:
    from clinicshield.lib.leased_huey import LeasedPriorityRedisStorage

    dead = LeasedPriorityRedisStorage("putback-test", lease_seconds=2, url=REDIS_URL)
    alive = LeasedPriorityRedisStorage("putback-test", lease_seconds=2, url=REDIS_URL)
    dead.enqueue(b"urgent", priority=5)
    dead.enqueue(b"routine")
    dead.add_to_schedule(b"later", datetime(2027, 3, 1, 9, 0))
    assert dead.claim() is not None
    assert [token for token, _ in dead.claim_due_scheduled(datetime(2027, 3, 1, 9, 1))]
    assert (dead.queue_size(), dead.schedule_size()) == (1, 0)
    assert alive.recover_dead_consumers() == 0  # the dead one's lease is still running
    redis_db.delete(dead.lease_key(dead.consumer_id))  # type: ignore[attr-defined]
    alive.renew_lease()
    assert alive.recover_dead_consumers() == 2
    assert alive.enqueued_items() == [b"urgent", b"routine"]  # the priority survived
    assert alive.scheduled_items() == [b"later"]


def test_a_worker_stopped_with_sigterm_puts_its_job_back_at_once(
    tmp_path: Path, redis_db: object
) -> None:
    env = worker_env(tmp_path) | {"CLINICSHIELD_WORKER_LEASE_SECONDS": "600"}
    database = prepare_database(env, tmp_path)
    worker = start_consumer(env, tmp_path / "worker.log")
    try:
        wait_for(lambda: redis_db.scard("huey.consumers.clinicshield") == 1, 60, "the lease")  # type: ignore[attr-defined]
        enqueue_one = BOOT + "jobs.record_job(7, 30)"
        subprocess.run([sys.executable, "-c", enqueue_one], env=env, cwd=ROOT, check=True)
        wait_for(lambda: in_flight_of(database, worker.pid) == {7}, 30, "the job to start")
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    # Back on the queue well before a 600-second lease could have run out, and no idle worker
    # of the stopping consumer took it again on its way out; its lease ended with it.
    assert redis_db.zcard("huey.redis.clinicshield") == 1  # type: ignore[attr-defined]
    assert redis_db.scard("huey.consumers.clinicshield") == 0  # type: ignore[attr-defined]
    assert rows(database, "SELECT job_id, pid FROM job_done") == []
