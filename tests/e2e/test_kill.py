"""A server killed with -9 in the middle of requests loses nothing it said it stored.

Four clients ask for suggestions and give feedback as fast as the server answers; the server is
killed with SIGKILL while they do. Every answer that said "stored" (a request id given, a 201 for
feedback) must be in the database after a restart, the database must pass SQLite's integrity
check, and the restarted server must answer again.
"""

import os
import signal
import sqlite3
import threading
import time
from http.client import HTTPException
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
PAGES = [{"title": "Submit an expense report", "headings": ["Receipts", "Approval"]},
         {"title": "Request parental leave", "text": "How many weeks of leave do I get?"},
         {"title": "Phishing email reported", "headings": ["Security awareness"]}]


def test_kill_9_mid_request_keeps_every_acknowledged_write(tmp_path, serve, http, cli):
    env = {**os.environ, "JITLEARN_HOME": str(tmp_path), "JITLEARN_LOG_LEVEL": "WARNING",
           "JITLEARN_RATE_PER_TOKEN": "1000000", "JITLEARN_RATE_PER_IP": "1000000"}
    cli(env, "ingest", "--source", "samples", str(ROOT / "samples" / "content"))
    cli(env, "users", "add", "ada")
    token = cli(env, "tokens", "create", "ada")
    proc, base = serve(env)
    requests, feedback, stop = set(), set(), threading.Event()

    def client(n: int) -> None:
        while not stop.is_set():
            try:
                status, body = http(base, "/api/v1/suggestions", {"context": PAGES[n % 3]},
                                    token=token)
                if status != 200:
                    continue
                requests.add(body["request_id"])
                for item in body["suggestions"][:2]:
                    status, saved = http(base, "/api/v1/feedback", {
                        "request_id": body["request_id"], "content_id": item["id"],
                        "action": "opened"}, token=token)
                    if status == 201:
                        feedback.add(saved["id"])
            except (OSError, HTTPException):
                return  # the server is gone (before answering, or half-way through an answer)
            n += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(feedback) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # mid-request: four clients are waiting on answers
    proc.wait(timeout=10)
    stop.set()
    for thread in threads:
        thread.join(timeout=40)
    proc.stdout.close()
    assert len(feedback) >= 40, "the clients should have stored some feedback before the kill"

    with sqlite3.connect(tmp_path / "jitlearn.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored_requests = {r for (r,) in db.execute("SELECT request_id FROM suggestion_events")}
        stored_feedback = {r for (r,) in db.execute("SELECT id FROM feedback")}
    assert requests <= stored_requests, "a request id was given out but its event is gone"
    assert feedback <= stored_feedback, "a 201 was answered but the feedback is gone"

    again, base = serve(env)  # the same data directory starts and serves
    try:
        status, body = http(base, "/api/v1/suggestions", {"context": PAGES[0]}, token=token)
        assert status == 200 and body["suggestions"]
    finally:
        again.terminate()
        again.communicate(timeout=10)
