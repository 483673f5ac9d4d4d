"""What the background jobs do: plain functions the scheduler, the CLI and the tests call."""

import logging

from flask import Flask

from server.console.sessions import purge_sessions
from server.content.follow import publish_if_changed
from server.content.sources import sync_source
from server.integrations import xapi
from server.jobs.runs import background_priority, recorded
from server.runtime import index_of
from server.state import runtime_of
from server.storage.retention import purge

log = logging.getLogger(__name__)


def sync_job(app: Flask, name: str) -> None:
    def work() -> str:
        background_priority()
        with runtime_of(app).sessions() as db:
            source = sync_source(app, db, name)
            log.info("source %s: %s %s", name, source.last_status, source.last_counts)
            return f"{source.last_status} {source.last_counts}"

    recorded(app, f"sync:{name}", work)


def purge_job(app: Flask) -> None:
    def work() -> str:
        with runtime_of(app).sessions() as db:
            counts = purge(db, int(app.config["RETENTION_DAYS"]))
            counts["sessions"] = purge_sessions(db, float(app.config["SESSION_HOURS"]))
            db.commit()
            log.info("retention: purged %s", counts)
            return str(counts)

    recorded(app, "purge", work)


def xapi_job(app: Flask) -> None:
    """Send the statements that are due; a run that sent or missed something is recorded."""
    with runtime_of(app).sessions() as db:
        counts = xapi.deliver(app, db)
    if any(counts.values()):
        recorded(app, "xapi", lambda: str(counts))


def publish_job(app: Flask) -> str | None:
    """On the machine that writes the index: publish a snapshot when the index changed."""
    return publish_if_changed(app, index_of(app))
