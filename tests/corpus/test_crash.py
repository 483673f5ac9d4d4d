"""A sync killed mid-way (kill -9) leaves a consistent index and database, keeps the batches it
committed, and the next run completes the work."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index import ContentIndex, list_files

pytestmark = pytest.mark.corpus


def test_kill_9_mid_ingest_then_the_next_run_completes(shared, tmp_path):
    from sqlalchemy import select

    from index.ingest import BATCH, VERSIONED
    from server.app import create_app
    from server.storage import db
    from server.storage.models import ContentVersion

    source = shared / "corpora" / "gitlab-handbook"
    if not source.is_dir():
        pytest.skip(f"reference corpora not found at {source}")
    env = {**os.environ, "JITLEARN_HOME": str(tmp_path), "JITLEARN_LOG_LEVEL": "WARNING"}
    cli = [str(Path(sys.executable).parent / "jitlearn"), "ingest", "--source", "gl", str(source)]
    proc = subprocess.Popen(cli, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:  # wait for the first batch
        if (tmp_path / "index").is_dir() and ContentIndex(tmp_path / "index").doc_count():
            break
        time.sleep(0.5)
    assert proc.poll() is None, "ingest finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # the workers too
    proc.wait()
    kept = ContentIndex(tmp_path / "index").doc_count()  # the index opens
    with sqlite3.connect(tmp_path / "jitlearn.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    files = len(list_files(source))
    assert kept % BATCH == 0 and 0 < kept < files  # whole batches, nothing half-written

    done = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"({kept} unchanged" in done.stdout  # the killed run's batches were not redone
    ix = ContentIndex(tmp_path / "index")
    assert ix.doc_count() == files
    again = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=600)
    assert f"({files} unchanged" in again.stdout

    # every policy in the index has its version on record, the killed run's included
    app = create_app({"HOME": str(tmp_path), "TESTING": True})
    with app.app_context():
        recorded = {(v.content_id, v.content_hash)
                    for v in db.session().scalars(select(ContentVersion))}
    policies = {(i, h) for i, h, _ in ix.versioned("gl", VERSIONED)}
    assert policies and policies == recorded
