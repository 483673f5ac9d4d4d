"""A sync killed mid-way (kill -9) leaves a consistent index, and the next run completes it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index import ContentIndex, list_files

pytestmark = pytest.mark.corpus


def test_kill_9_mid_ingest_then_the_next_run_completes(shared, tmp_path):
    source = shared / "corpora" / "gitlab-handbook"
    if not source.is_dir():
        pytest.skip(f"reference corpora not found at {source}")
    env = {**os.environ, "JITLEARN_HOME": str(tmp_path), "JITLEARN_LOG_LEVEL": "WARNING"}
    cli = [str(Path(sys.executable).parent / "jitlearn"), "ingest", "--source", "gl", str(source)]
    proc = subprocess.Popen(cli, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    time.sleep(8)  # well into parsing and writing: the whole run takes ~45 s here
    assert proc.poll() is None, "ingest finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # the workers too
    proc.wait()
    ix = ContentIndex(tmp_path / "index")
    assert ix.doc_count() == 0  # the interrupted run never committed: nothing half-written
    done = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    files = len(list_files(source))
    assert ContentIndex(tmp_path / "index").doc_count() == files
    again = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=600)
    assert f"({files} unchanged" in again.stdout
