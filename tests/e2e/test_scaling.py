"""Past one process: several servers on one PostgreSQL database, the jobs run by exactly one.

Two `jitlearn serve` commands (one of them gunicorn with two workers) share a PostgreSQL
database and the index; each has the scheduler enabled. Only the process holding the scheduler
lock runs jobs, so each job runs once; when that process is killed, another takes over.
"""

import os
import signal
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
                                                             cli):
    url = postgres.new_database()
    env = {**os.environ, "JITLEARN_HOME": str(tmp_path), "JITLEARN_DATABASE_URL": url,
           "JITLEARN_LOG_LEVEL": "WARNING", "JITLEARN_SCHEDULER_ENABLED": "true",
           "JITLEARN_LEADER_RETRY_SECONDS": "1"}


    cli(env, "sources", "add", "samples", "--folder", str(ROOT / "samples" / "content"),
        "--every", "60")
    cli(env, "users", "add", "ada")
    token = cli(env, "tokens", "create", "ada")
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


def test_a_second_machine_serves_the_snapshots_the_writer_publishes(tmp_path, postgres, serve,
                                                                   http, cli):
    """Two data directories stand for two machines sharing PostgreSQL and a snapshot folder."""
    url, shared, library = postgres.new_database(), tmp_path / "shared", tmp_path / "library"
    library.mkdir()
    (library / "expenses.md").write_text("# Expense policy\nSubmit receipts within 30 days.\n")
    common = {**os.environ, "JITLEARN_DATABASE_URL": url, "JITLEARN_LOG_LEVEL": "WARNING",
              "JITLEARN_INDEX_SNAPSHOTS": str(shared), "JITLEARN_SNAPSHOT_EVERY_SECONDS": "1"}
    writer_env = {**common, "JITLEARN_HOME": str(tmp_path / "writer"),
                  "JITLEARN_SCHEDULER_ENABLED": "true", "JITLEARN_LEADER_RETRY_SECONDS": "1"}
    follower_env = {**common, "JITLEARN_HOME": str(tmp_path / "follower"),
                    "JITLEARN_INDEX_FOLLOW": "true"}

    cli(writer_env, "sources", "add", "library", "--folder", str(library), "--every", "60")
    cli(writer_env, "users", "add", "lena", "--role", "ld")
    token = cli(writer_env, "tokens", "create", "lena")
    writer, writer_base = serve(writer_env)
    follower, follower_base = serve(follower_env)

    def found(base, query):
        status, body = http(base, f"/api/v1/search?q={query}", token=token)
        return status == 200 and [r["id"] for r in body["results"]]

    try:
        assert wait_for(lambda: found(follower_base, "receipts"), 60) == [
            "library:expenses.md"]  # synced on the writer, published, followed
        (library / "travel.md").write_text("# Travel policy\nBook trains before flights.\n")
        status, _ = http(writer_base, "/api/v1/sources/library/sync", {}, token=token)
        assert status == 200
        assert wait_for(lambda: found(follower_base, "trains"), 30) == ["library:travel.md"]
        status, body = http(follower_base, "/api/v1/content/library:travel.md",
                            {"mandatory": True}, token=token, method="PATCH")
        assert status == 503 and "another machine" in body["message"]  # edits go to the writer
        status, body = http(writer_base, "/api/v1/content/library:travel.md",
                            {"mandatory": True}, token=token, method="PATCH")
        assert status == 200 and body["mandatory"] is True
        assert wait_for(lambda: http(follower_base, "/api/v1/content/library:travel.md",
                                     token=token)[1].get("mandatory"), 30)
        # past the snapshots kept (3): the follower's first ones are pruned while it serves,
        # and its suggestions still read the index it swapped in
        for n in range(4):
            (library / f"policy-{n}.md").write_text(f"# Gifts rule {n}\nGifts under {n}0 euros.\n")
            assert http(writer_base, "/api/v1/sources/library/sync", {}, token=token)[0] == 200
            assert wait_for(lambda n=n: found(follower_base, f"{n}0"), 30)
            status, body = http(follower_base, "/api/v1/suggestions", {"context": {
                "title": "Client gift - expense report", "text": "A gift from a supplier."}},
                token=token)
            assert status == 200, body
        assert len([p for p in shared.iterdir() if not p.name.startswith(".")]) <= 4
    finally:
        for proc in (writer, follower):
            proc.send_signal(signal.SIGTERM)
        outputs = [proc.communicate(timeout=30)[0] for proc in (writer, follower)]
    assert not any("Traceback" in out for out in outputs), outputs
