"""Shared fixtures: the pipeline, sample-content and real-corpus indexes built once per session,
PostgreSQL.

`pytest --database=postgresql` runs the same tests with every app on a fresh database of a real
PostgreSQL server that the session starts (Debian's postgresql package; `make test` installs it).
"""

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from index import ContentIndex, ingest_dir, path_words
from nlp import DocumentTagger, TopicExtractor
from server.app import create_app
from server.state import runtime_of
from server.storage.db import MIGRATIONS
from server.suggest.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "content"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def tagger() -> DocumentTagger:
    return DocumentTagger()


@pytest.fixture(scope="session")
def tag(tagger):
    """The ingest tagger as `jitlearn ingest` uses it: Document -> {topic: weight}."""
    return lambda d: tagger.tag(d.title, d.headings, d.summary, d.body, path_words(d.id), d.tags)


@pytest.fixture(scope="session")
def shared() -> Path:
    return SHARED


@pytest.fixture(scope="session")
def extractor() -> TopicExtractor:
    return TopicExtractor.build()


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, tag) -> Path:
    """The built-in sample content, ingested once; tests must not write to it."""
    path = tmp_path_factory.mktemp("sample-index")
    report = ingest_dir(ContentIndex(path), "samples", SAMPLES, tag)
    assert report.added > 50 and not report.failed
    return path


CAREER_DATA = ("onet-", "esco-")  # career data in the corpora, not content


@pytest.fixture(scope="session")
def corpora(shared):
    if not (shared / "corpora").is_dir():
        pytest.skip(f"reference corpora not found at {shared / 'corpora'}")
    return shared / "corpora"


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, tag, corpora):
    """The real reference corpora, each folder its own source, ingested once (two minutes):
    (index, reports). Tests only read it, or copy it."""
    ix = ContentIndex(tmp_path_factory.mktemp("corpus-index"))
    sources = sorted(p for p in corpora.iterdir()
                     if p.is_dir() and not p.name.startswith(CAREER_DATA))
    reports = [ingest_dir(ix, src.name, src, tag) for src in sources]
    return ix, reports


@pytest.fixture(scope="session")
def engine(extractor, sample_index) -> Engine:
    return Engine(extractor, ContentIndex(sample_index))


@pytest.fixture
def app(tmp_path, sample_index, engine):
    app = create_app({"HOME": str(tmp_path), "INDEX_DIR": str(sample_index), "TESTING": True})
    runtime_of(app).index = engine.index
    runtime_of(app).engine = engine
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def loopback():
    """loopback(handler_class) -> base URL of a threaded HTTP server on 127.0.0.1 (an LRS, an
    intranet, ...), stopped when the test ends."""
    from http.server import ThreadingHTTPServer

    servers = []

    def start(handler) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def make_token(app):
    from server.people.users import add_user, create_token
    from server.storage import db

    def make(name="ada", role="employee") -> str:
        with app.app_context():
            return create_token(db.session(), add_user(db.session(), name, role))

    return make


@pytest.fixture
def auth(make_token) -> dict:
    return {"Authorization": f"Bearer {make_token()}"}


class Postgres:
    """A throwaway PostgreSQL cluster on loopback: initdb, start, a new database per app, stop.

    Tuned for tests only (fsync off): it holds nothing that must survive a crash.
    """

    def __init__(self):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not found:
            pytest.exit("PostgreSQL is not installed: `make test` installs Debian's postgresql",
                        returncode=1)
        self.bin = Path(found[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="jitlearn-pg-"))
        # the server refuses to run as root; Debian's package makes a postgres user for it
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.names = itertools.count(1)
        self.homes: dict[str, str] = {}
        self._run("initdb", "-D", str(self.dir / "data"), "-A", "trust", "-U", "jitlearn",
                  "--no-sync", "-E", "UTF8", "--locale=C")
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w",
                  "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                        "-c max_connections=200", "start")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bin / tool), *args], check=True,
                       capture_output=True, cwd=self.dir)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://jitlearn@127.0.0.1:{self.port}/{database}"

    def new_database(self, template: str = "template1") -> str:
        """A fresh database (empty, or a copy of template); its SQLAlchemy URL."""
        import psycopg

        name = f"t{next(self.names)}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=jitlearn dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        return self.url(name)

    def database_of(self, home: str) -> str:
        """The database of a data directory, made on first use: as SQLite keeps one per HOME."""
        home = os.path.abspath(home)
        if home not in self.homes:
            self.homes[home] = self.new_database()
        return self.homes[home]

    def copy_home(self, source: str, target: str) -> None:
        """Give target a copy of source's database (no one may be connected to source)."""
        for engine in ENGINES:
            engine.dispose()
        name = self.database_of(source).rsplit("/", 1)[1]
        self.homes[os.path.abspath(target)] = self.new_database(template=name)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


def pytest_addoption(parser):
    parser.addoption("--database", choices=("sqlite", "postgresql"), default="sqlite",
                     help="the database every test app uses (postgresql starts a real server)")


def pytest_configure(config):
    if config.getoption("--database") != "postgresql":
        return
    from server import config as settings

    cluster = Postgres()
    config.stash[POSTGRES] = cluster
    resolve = settings.resolve_paths

    def on_postgres(values: dict) -> None:
        if not values.get("DATABASE_URL"):  # an app the test did not point elsewhere
            values["DATABASE_URL"] = cluster.database_of(values["HOME"])
        resolve(values)

    settings.resolve_paths = on_postgres
    from server.storage import db

    make_engine = db.make_engine

    def tracked(url):
        """No pool: a connection closes when its session ends, so none outlives its test or
        the thread that used it (an app's background load may finish after its test)."""
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        engine = create_engine(url, poolclass=NullPool) if url.startswith("postgresql") \
            else make_engine(url)
        ENGINES.append(engine)
        return engine

    db.make_engine = tracked


ENGINES: list = []


@pytest.fixture(autouse=True)
def _close_databases():
    yield
    for engine in ENGINES:
        engine.dispose()


@pytest.fixture(scope="session")
def copy_home(pytestconfig):
    """copy_home(source, target): target's database starts as a copy of source's."""
    cluster = pytestconfig.stash.get(POSTGRES, None)
    if cluster is not None:
        return cluster.copy_home

    def copy_sqlite(source, target):
        shutil.copy(Path(source) / "jitlearn.db", Path(target) / "jitlearn.db")
    return copy_sqlite


def pytest_report_header(config):
    cluster = config.stash.get(POSTGRES, None)
    return f"database: PostgreSQL ({cluster.bin.parent.name}) on port {cluster.port}, a new " \
        "database per data directory" if cluster else "database: SQLite, one file per test"


def pytest_unconfigure(config):
    cluster = config.stash.get(POSTGRES, None)
    if cluster is not None:
        cluster.stop()


POSTGRES = pytest.StashKey[Postgres]()


@pytest.fixture(scope="session")
def postgres(pytestconfig):
    """The session's PostgreSQL cluster (started here when the run is on SQLite)."""
    cluster = pytestconfig.stash.get(POSTGRES, None)
    if cluster is not None:
        yield cluster
        return
    cluster = Postgres()
    yield cluster
    cluster.stop()


def database_at(path: Path, revision: str, people: tuple[str, ...] = ()) -> None:
    """A SQLite database as an older jitlearn left it: migrated up to `revision`, with these
    people in it."""
    engine = create_engine(f"sqlite:///{path}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        for name in people:
            conn.execute(text("INSERT INTO users (name, role, pseudonym, groups, active, "
                              "created_at) VALUES (:n, 'employee', :n, '[]', 1, "
                              "'2026-01-01 00:00:00')"), {"n": name})
    engine.dispose()
