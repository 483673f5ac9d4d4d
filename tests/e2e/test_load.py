"""Load with a re-index running: locust's 50 simulated employees ask a real server for 60 s
while the whole library is re-read, re-tagged and committed again and again. No request may
fail and every one is answered; the rate reached and the p95 are printed and written to
build/load.txt (a speed target is the bench's to hold, not a test's: on a busy 2-core machine
the rate depends on what else runs)."""

import csv
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.corpus]
ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT.parent / "shared" / "corpora"
CONTEXTS = ROOT.parent / "shared" / "eval" / "dev.jsonl"
LIBRARY = ("18f-handbook", "sourcegraph-handbook")  # 1,133 real handbook pages (248 + 885)
LOCUST = Path(sys.executable).parent / "locust"
OUT = ROOT / "build"


def test_50_employees_for_60_s_get_every_answer_while_reindexing(tmp_path, serve, cli,
                                                                 jitlearn_bin):
    folders = [CORPORA / name for name in LIBRARY]
    if not all(f.is_dir() for f in folders) or not CONTEXTS.is_file():
        pytest.skip("the corpora and the evaluation contexts are not beside the project")
    env = {**os.environ, "JITLEARN_HOME": str(tmp_path), "JITLEARN_LOG_LEVEL": "WARNING",
           "JITLEARN_RATE_PER_TOKEN": "1000000", "JITLEARN_RATE_PER_IP": "1000000"}


    cli(env, "ingest", *map(str, folders))
    cli(env, "users", "add", "ada")
    token = cli(env, "tokens", "create", "ada")
    proc, base = serve(env, "--workers", "2")  # one process per core, as docs/scaling.md says
    stop, passes = threading.Event(), []

    def reindex():  # the whole library, every document re-tagged and committed, over and over;
        # a folder at a time, so that a commit lands within the minute even on a busy machine
        while not stop.is_set():
            for folder in folders:
                done = subprocess.run([str(jitlearn_bin), "ingest", "--full", str(folder)],
                                      env=env, capture_output=True, text=True)
                passes.append((time.monotonic(), done.returncode, done.stderr[-500:]))
                if stop.is_set():
                    break

    OUT.mkdir(exist_ok=True)
    writer = threading.Thread(target=reindex)
    started = time.monotonic()
    writer.start()
    try:
        run = subprocess.run(
            [str(LOCUST), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "-u", "50", "-r", "50", "-t", "60s", "--host", base, "--csv", str(OUT / "load"),
             "--only-summary", "--loglevel", "WARNING"],
            env={**env, "JITLEARN_LOAD_TOKEN": token, "JITLEARN_LOAD_CONTEXTS": str(CONTEXTS)},
            capture_output=True, text=True, timeout=300)
        ended = time.monotonic()
    finally:
        stop.set()
        writer.join(timeout=300)
        proc.terminate()
        server_log = proc.communicate(timeout=30)[0]

    with open(OUT / "load_stats.csv", encoding="utf-8") as f:
        total = next(row for row in csv.DictReader(f) if row["Name"] == "Aggregated")
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    summary = (f"{requests} requests in 60 s ({float(total['Requests/s']):.1f}/s), {failures} "
               f"failed, p50 {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms; "
               f"{sum(1 for t, rc, _ in passes if t <= ended and rc == 0)} folder re-indexes "
               f"committed during the run")
    (OUT / "load.txt").write_text(summary + "\n")
    print(summary)
    assert failures == 0 and run.returncode == 0, summary + run.stderr[-3000:]
    assert requests > 0, summary
    assert [rc for _, rc, _ in passes] and all(rc == 0 for _, rc, _ in passes), passes
    assert any(started < t <= ended for t, _, _ in passes), "a re-index committed mid-run"
    assert "Traceback" not in server_log
