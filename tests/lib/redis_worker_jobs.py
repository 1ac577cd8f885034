"""A job for the Redis worker tests, loaded into real consumer processes by the test.

Each run notes its start (a plain row per attempt) and then, after a pause long enough for a
SIGKILL to land mid-job, its result: one row per job id, in a transaction, repeated safely
(the primary key makes a second run of the same job change nothing, as our jobs must).
"""

import os
import time

from django.db import connection, transaction
from huey.contrib.djhuey import db_task

TABLES = (
    "CREATE TABLE job_start (job_id INTEGER NOT NULL, pid INTEGER NOT NULL, at REAL NOT NULL)",
    "CREATE TABLE job_done (job_id INTEGER PRIMARY KEY, pid INTEGER NOT NULL)",
)


@db_task()
def record_job(job_id: int, seconds: float) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO job_start (job_id, pid, at) VALUES (%s, %s, %s)",
            [job_id, os.getpid(), time.time()],
        )
    time.sleep(seconds)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO job_done (job_id, pid) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            [job_id, os.getpid()],
        )
