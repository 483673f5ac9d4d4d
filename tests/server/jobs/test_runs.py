"""The scheduler lock and job records (the multi-process case is tests/e2e/test_scaling.py)."""

import pytest
from sqlalchemy import select

from server.app import create_app
from server.jobs.leader import Leadership
from server.jobs.runs import recorded
from server.storage import db
from server.storage.models import JobRun


@pytest.fixture
def bare(tmp_path):
    return create_app({"HOME": str(tmp_path), "MODEL": "", "TESTING": True})


def test_one_holder_of_the_scheduler_lock_at_a_time(bare):
    first, second = Leadership(bare), Leadership(bare)
    assert first.try_acquire() and first.still_held()
    assert not second.try_acquire()
    first.release()  # as when the process dies
    assert second.try_acquire() and not first.still_held()
    second.release()


def test_a_job_run_is_recorded_with_its_outcome(bare):
    recorded(bare, "purge", lambda: "nothing to purge")
    with pytest.raises(RuntimeError):
        recorded(bare, "sync:wiki", lambda: (_ for _ in ()).throw(RuntimeError("feed is down")))
    with bare.app_context():
        rows = db.session().scalars(select(JobRun).order_by(JobRun.id)).all()
    assert [(r.job, r.status) for r in rows] == [("purge", "ok"), ("sync:wiki", "failed")]
    assert rows[1].detail == "RuntimeError: feed is down" and rows[1].finished_at
    assert rows[0].runner == rows[1].runner
