"""The database: one SQLAlchemy engine per process, a session per request, Alembic migrations."""

from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from server.state import KEY, Runtime, runtime_of

MIGRATIONS = Path(__file__).parent.parent / "migrations"
MIGRATION_LOCK = 0x6A6C6D67  # "jlmg": held while one process migrates


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

        @event.listens_for(engine, "connect")
        def _pragmas(conn, _):  # WAL: readers never wait for the one writer
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA secure_delete=ON")  # deleted rows zeroed, not left in free pages
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    from alembic import command  # Alembic takes 0.6 s to import: only when the schema is read
    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":  # processes starting together migrate in turn
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class SchemaError(RuntimeError):
    """The database's schema is not the one this jitlearn works with; the message says why."""


def check(engine: Engine) -> None:
    """Give an empty database its schema; refuse one at another jitlearn's migration."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError
    scripts = ScriptDirectory(str(MIGRATIONS))
    head = scripts.get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current is None:
        upgrade(engine)  # a new database (or one this jitlearn has never set up)
    elif current != head:
        try:
            scripts.get_revision(current)
        except CommandError:
            raise SchemaError(f"the database's schema ({current}) is newer than this jitlearn "
                              f"knows (up to {head}): run the jitlearn that wrote it") from None
        raise SchemaError(f"the database's schema is at migration {current}, this jitlearn "
                          f"needs {head}: back it up (jitlearn backup), then run "
                          "`jitlearn db upgrade`; `jitlearn serve` upgrades it too")


def init_app(app: Flask, migrate: bool = False) -> None:
    """The process's Runtime, with its database engine and sessions; the schema brought to
    the newest migration when asked (serve, `jitlearn db upgrade`), else checked."""
    engine = make_engine(app.config["DATABASE_URL"])
    if migrate:
        upgrade(engine)
    else:
        check(engine)
    app.extensions[KEY] = Runtime(engine, sessionmaker(engine, expire_on_commit=False))
    app.teardown_appcontext(close_session)


def checkpoint(db: Session) -> None:
    """After deleting someone's data: copy the write-ahead log into the database file and empty
    it, so the deleted rows are not left readable in the log (SQLite; PostgreSQL needs nothing
    here: its VACUUM reclaims dead rows on its own schedule)."""
    if db.get_bind().dialect.name == "sqlite":
        db.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def session() -> Session:
    if "db" not in g:
        g.db = runtime_of(current_app).sessions()
    return g.db


def close_session(_exc=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()
