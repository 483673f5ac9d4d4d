"""Background jobs (APScheduler 3): each source synced on its own schedule, in one process only.

Started by `jitlearn serve` when JITLEARN_SCHEDULER_ENABLED is true; never in tests, never in a
reloader's parent. Job functions are plain functions that the CLI and the tests call directly.
"""

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy import select

from .models import Source

log = logging.getLogger(__name__)
REFRESH_MINUTES = 1  # how soon a source added or removed elsewhere is (un)scheduled


def sync_job(app: Flask, name: str) -> None:
    from .sources import sync_source

    with app.extensions["jitlearn.db"]() as db:
        source = sync_source(app, db, name)
        log.info("source %s: %s %s", name, source.last_status, source.last_counts)


def refresh_jobs(app: Flask, scheduler: BackgroundScheduler) -> None:
    """One job per source, rescheduled when its interval changed; gone sources unscheduled."""
    with app.extensions["jitlearn.db"]() as db:
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


def purge_job(app: Flask) -> None:
    from .retention import purge

    with app.extensions["jitlearn.db"]() as db:
        counts = purge(db, int(app.config["RETENTION_DAYS"]))
        log.info("retention: purged %s", counts)


def start(app: Flask) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(daemon=True)
    scheduler.add_listener(lambda event: log.error("job %s failed: %s", event.job_id,
                                                   event.exception), EVENT_JOB_ERROR)
    scheduler.add_job(refresh_jobs, "interval", minutes=REFRESH_MINUTES, args=[app, scheduler],
                      id="refresh-sources", replace_existing=True, coalesce=True,
                      max_instances=1)
    scheduler.add_job(purge_job, "interval", hours=24, args=[app], id="purge",
                      replace_existing=True, coalesce=True, max_instances=1,
                      next_run_time=datetime.now(UTC))
    refresh_jobs(app, scheduler)
    scheduler.start()
    log.info("scheduler started: %d source jobs", len(scheduler.get_jobs()) - 1)
    return scheduler
