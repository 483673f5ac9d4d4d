"""Past one process: several servers on one PostgreSQL database, the jobs run by exactly one.

Two `jitlearn serve` commands (one of them gunicorn with two workers) share a PostgreSQL
database and the index; each has the scheduler enabled. Only the process holding the scheduler
lock runs jobs, so each job runs once; when that process is killed, another takes over.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
CONTEXT = {"context": {"title": "Submit an expense report", "headings": ["Receipts"]}}


def runs(engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT job, runner, status FROM job_runs ORDER BY id"))]


def wait_for(check, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    return check()


def test_two_servers_share_postgresql_and_each_job_runs_once(tmp_path, postgres, serve, http,
                                                             jitlearn_bin):
    url = postgres.new_database()
    env = {**os.environ, "JITLEARN_HOME": str(tmp_path), "JITLEARN_DATABASE_URL": url,
           "JITLEARN_LOG_LEVEL": "WARNING", "JITLEARN_SCHEDULER_ENABLED": "true",
           "JITLEARN_LEADER_RETRY_SECONDS": "1"}

    def cli(*args):
        return subprocess.run([str(jitlearn_bin), *args], env=env, check=True,
                              capture_output=True, text=True).stdout.strip()

    cli("sources", "add", "samples", "--folder", str(ROOT / "samples" / "content"),
        "--every", "60")
    cli("users", "add", "ada")
    token = cli("tokens", "create", "ada")
    many, many_base = serve(env, "--workers", "2")
    one, one_base = serve(env)
    database = create_engine(url)
    try:
        done = wait_for(lambda: {j for j, _, s in runs(database) if s == "ok"} >=
                        {"purge", "sync:samples"})
        assert done, runs(database)
        time.sleep(3)  # time enough for a second scheduler to run them again, were there one
        first = runs(database)
        jobs = [job for job, _, _ in first]
        assert sorted(jobs) == ["purge", "sync:samples"], first
        leaders = {runner for _, runner, _ in first}
        assert len(leaders) == 1, first
        for base in (many_base, one_base):  # every process answers from the shared data
            status, body = http(base, "/api/v1/suggestions", CONTEXT, token=token)
            assert status == 200 and body["suggestions"], body

        leader_pid = int(leaders.pop().rsplit(":", 1)[1])
        os.kill(leader_pid, signal.SIGKILL)  # the scheduling process dies mid-life
        taken_over = wait_for(lambda: [r for r in runs(database)[len(first):]
                                       if r[0] == "purge" and r[2] == "ok"], 60)
        assert taken_over, runs(database)
        assert taken_over[0][1] != f"{first[0][1]}", "another process runs the jobs now"
        alive = [base for proc, base in ((many, many_base), (one, one_base))
                 if proc.poll() is None]  # gunicorn replaces a killed worker
        assert alive and all(http(base, "/api/v1/suggestions", CONTEXT, token=token)[0] == 200
                             for base in alive)
    finally:
        for proc in (many, one):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        outputs = [proc.communicate(timeout=30)[0] for proc in (many, one)]
        database.dispose()
    assert not any("Traceback" in out for out in outputs), outputs
