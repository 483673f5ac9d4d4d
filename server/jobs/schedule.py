"""Background jobs (APScheduler 3): each source synced on its own schedule, in one process only.

Started by `jitlearn serve` when JITLEARN_SCHEDULER_ENABLED is true; never in tests, never in a
reloader's parent. Every serving process may start it: only the one holding the scheduler lock
(server/jobs/leader.py) runs jobs, and each run is recorded in job_runs with the process that
ran it.
Job functions are plain functions that the CLI and the tests call directly.
"""

import logging
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy import select

from server.jobs.leader import Leadership, runner
from server.jobs.tasks import publish_job, purge_job, sync_job, xapi_job
from server.state import runtime_of
from server.storage.models import Source

log = logging.getLogger(__name__)
REFRESH_MINUTES = 1  # how soon a source added or removed elsewhere is (un)scheduled


def refresh_jobs(app: Flask, scheduler: BackgroundScheduler) -> None:
    """One job per source, rescheduled when its interval changed; gone sources unscheduled."""
    with runtime_of(app).sessions() as db:
        sources = {s.name: (s.every_minutes, s.last_run_at) for s in db.scalars(select(Source))}
    wanted = {name: minutes for name, (minutes, _) in sources.items()}
    for job in scheduler.get_jobs():
        if job.id.startswith("sync:") and job.id[5:] not in wanted:
            job.remove()
    for name, minutes in wanted.items():
        job = scheduler.get_job(f"sync:{name}")
        if job is None or job.trigger.interval.total_seconds() != minutes * 60:
            scheduler.add_job(sync_job, "interval", minutes=minutes, args=[app, name],
                              id=f"sync:{name}", replace_existing=True, coalesce=True,
                              max_instances=1, next_run_time=due(*sources[name]))


def due(every_minutes: int, last_run_at: datetime | None) -> datetime:
    """When a source's next sync is due: now if it never ran or is overdue (a restart), else
    one interval after its last run."""
    now = datetime.now(UTC)
    if last_run_at is None:
        return now
    return max(now, last_run_at.replace(tzinfo=UTC) + timedelta(minutes=every_minutes))


def start(app: Flask) -> threading.Thread:
    """Run the jobs in whichever process holds the scheduler lock, taking over if it dies."""
    leadership = Leadership(app)
    every = float(app.config["LEADER_RETRY_SECONDS"])

    def lead() -> None:
        scheduler = None
        while True:
            try:
                if scheduler is None and leadership.try_acquire():
                    scheduler = schedule(app)
                    log.info("scheduler: %s runs the background jobs", runner())
                elif scheduler is not None and not leadership.still_held():
                    scheduler.shutdown(wait=False)
                    scheduler = None
                    log.warning("scheduler: %s stopped running jobs (lock lost)", runner())
            except Exception:  # noqa: BLE001  (the database may be down: try again later)
                log.exception("scheduler: could not take or check the scheduler lock")
            threading.Event().wait(every)

    thread = threading.Thread(target=lead, name="scheduler-leadership", daemon=True)
    thread.start()
    return thread


def schedule(app: Flask) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(daemon=True)
    scheduler.add_listener(lambda event: log.error("job %s failed: %s", event.job_id,
                                                   event.exception), EVENT_JOB_ERROR)
    scheduler.add_job(refresh_jobs, "interval", minutes=REFRESH_MINUTES, args=[app, scheduler],
                      id="refresh-sources", replace_existing=True, coalesce=True,
                      max_instances=1)
    scheduler.add_job(purge_job, "interval", hours=24, args=[app], id="purge",
                      replace_existing=True, coalesce=True, max_instances=1,
                      next_run_time=datetime.now(UTC))
    if app.config["INDEX_SNAPSHOTS"]:  # several machines: publish the index when it changed
        scheduler.add_job(publish_job, "interval",
                          seconds=float(app.config["SNAPSHOT_EVERY_SECONDS"]), args=[app],
                          id="publish-index", replace_existing=True, coalesce=True,
                          max_instances=1, next_run_time=datetime.now(UTC))
    if app.config["XAPI_ENDPOINT"]:  # learning records to the organisation's LRS
        scheduler.add_job(xapi_job, "interval", seconds=float(app.config["XAPI_EVERY_SECONDS"]),
                          args=[app], id="xapi", replace_existing=True, coalesce=True,
                          max_instances=1, next_run_time=datetime.now(UTC))
    refresh_jobs(app, scheduler)
    scheduler.start()
    log.info("scheduler started: %d source jobs",
             sum(job.id.startswith("sync:") for job in scheduler.get_jobs()))
    return scheduler
