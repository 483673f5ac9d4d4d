"""A background job's run, kept in job_runs: when it started and ended, ok or failed and why."""

import os
import threading
from collections.abc import Callable

from flask import Flask

from server.jobs.leader import runner
from server.state import runtime_of
from server.storage.models import JobRun, now

BACKGROUND_NICE = 10  # background work yields the CPU to serving requests


def background_priority() -> None:
    """Lower this thread's CPU priority (on Linux nice is per thread, and the processes it
    starts inherit it), so syncs and re-indexing never starve the requests being served."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)
    except (AttributeError, OSError):  # not Linux, or not allowed: run at normal priority
        pass


def recorded(app: Flask, job: str, work: Callable[[], str]) -> None:
    """Run work() and keep a job_runs row of it: started, ended, ok or failed (and why)."""
    with runtime_of(app).sessions() as db:
        run = JobRun(job=job[:200], runner=runner())
        db.add(run)
        db.commit()
        try:
            run.detail = (work() or "")[:500]
            run.status = "ok"
        except Exception as exc:
            run.status, run.detail = "failed", f"{exc.__class__.__name__}: {exc}"[:500]
            raise
        finally:
            run.finished_at = now()
            db.commit()
