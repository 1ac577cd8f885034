from datetime import UTC, datetime
from typing import Any

import pytest

from clinicshield.lib import due
from clinicshield.lib.models import DueJobRun


def test_run_due_runs_registered_jobs_for_the_given_moment(db: Any, monkeypatch: Any) -> None:
    seen: list[datetime] = []
    registry = dict(due.REGISTRY)
    monkeypatch.setattr(due, "REGISTRY", registry)
    due.due_job("test_job", minute="0")(lambda now: seen.append(now) or "did it")
    moment = datetime(2027, 5, 1, 9, 0, tzinfo=UTC)
    results = due.run_due(moment, only=["test_job"])
    assert results == {"test_job": "did it"} and seen == [moment]
    run = DueJobRun.objects.get(job="test_job")
    assert run.ok and run.now == moment


def test_run_due_refuses_unknown_jobs(db: Any) -> None:
    with pytest.raises(KeyError, match="no_such_job"):
        due.run_due(datetime.now(UTC), only=["no_such_job"])


def test_a_failing_job_is_recorded_as_failed(db: Any, monkeypatch: Any) -> None:
    registry = dict(due.REGISTRY)
    monkeypatch.setattr(due, "REGISTRY", registry)

    def broken(now: datetime) -> str:
        raise RuntimeError("disk full")

    due.due_job("broken_job")(broken)
    with pytest.raises(RuntimeError):
        due.run_due(datetime.now(UTC), only=["broken_job"])
    assert DueJobRun.objects.get(job="broken_job").summary == "RuntimeError('disk full')"
