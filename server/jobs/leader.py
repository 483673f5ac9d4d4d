"""Which process runs the background jobs: the one holding the scheduler lock.

Every serving process may have the scheduler enabled; exactly one holds the lock and runs the
jobs, and when it dies another takes over within LEADER_RETRY_SECONDS.

PostgreSQL: a session-level advisory lock (pg_try_advisory_lock) on a connection this process
keeps open; the server releases it when the process or the connection dies. SQLite (one machine):
an exclusive flock on HOME/scheduler.lock, which the kernel releases the same way.
"""

import fcntl
import logging
import os
import socket

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)
LOCK_KEY = 0x6A69746C  # "jitl": the advisory lock's id, the same in every process


def runner() -> str:
    """This process, as job runs name it."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Leadership:
    def __init__(self, app: Flask):
        self.url = app.config["DATABASE_URL"]
        self.postgres = self.url.startswith("postgresql")
        # its own connections, never pooled: closing one must end the session (and the lock),
        # and a request must never be handed a connection that holds it
        self.engine = create_engine(self.url, poolclass=NullPool) if self.postgres else None
        self.path = os.path.join(app.config["HOME"], "scheduler.lock")
        self.held = None  # the connection or file that holds the lock

    def try_acquire(self) -> bool:
        """True if this process holds the lock now (took it, or already had it)."""
        if self.held is not None:
            return True
        if self.postgres:
            conn = self.engine.connect()
            if conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar():
                conn.commit()
                self.held = conn
            else:
                conn.close()
        else:
            lock = open(self.path, "a")  # noqa: SIM115  (held open for the life of the process)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.held = lock
            except BlockingIOError:
                lock.close()
        return self.held is not None

    def still_held(self) -> bool:
        """False if the lock was lost (the database connection dropped): stop running jobs."""
        if self.held is None:
            return False
        if not self.postgres:
            return True
        try:
            found = self.held.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND pid = pg_backend_pid() AND objid = :key"), {"key": LOCK_KEY}).scalar()
            self.held.commit()
            return bool(found)
        except Exception as exc:  # noqa: BLE001  (any failure means the lock cannot be trusted)
            log.warning("scheduler lock lost: %s", exc)
            self.release()
            return False

    def release(self) -> None:
        held, self.held = self.held, None
        if held is not None:
            try:
                held.close()  # closing the connection or file releases the lock
            except Exception:  # noqa: BLE001
                pass
