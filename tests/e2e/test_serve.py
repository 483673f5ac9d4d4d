"""The real service: `jitlearn serve` as its own process, called over HTTP."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent / "jitlearn"
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "content"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, path, body=None, token=None, method=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    env = {**os.environ, "JITLEARN_HOME": str(home), "JITLEARN_LOG_LEVEL": "WARNING"}
    cli = lambda *a: subprocess.run([str(BIN), *a], env=env, check=True,  # noqa: E731
                                    capture_output=True, text=True).stdout.strip()
    cli("ingest", "--source", "samples", str(SAMPLES))
    cli("users", "add", "e2e")
    token = cli("tokens", "create", "e2e")
    port = free_port()
    proc = subprocess.Popen([str(BIN), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if call(base, "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        output = proc.stdout.read()
        proc.stdout.close()
        pytest.fail("server did not start: " + output)
    yield base, token, home
    proc.terminate()
    proc.wait(timeout=10)
    proc.stdout.close()


def test_health_over_http(service):
    base, _, _ = service
    status, body = call(base, "/healthz")
    assert status == 200 and body["status"] == "ok" and body["checks"]["documents"] > 50


def test_expense_page_gets_the_expense_policy_and_sport_gets_nothing(service):
    base, token, _ = service
    status, body = call(base, "/api/v1/suggestions",
                        {"context": {"title": "Expense report - Navan"}}, token)
    assert status == 200 and body["suggestions"][0]["id"] == "samples:policies/expenses.md"
    status, body = call(base, "/api/v1/suggestions",
                        {"context": {"title": "Premier League results - BBC Sport"}}, token)
    assert status == 200 and body["suggestions"] == []


def test_feedback_round_trip_over_http(service):
    base, token, _ = service
    ctx = {"context": {"title": "Parental leave request"}}
    _, first = call(base, "/api/v1/suggestions", ctx, token)
    top = first["suggestions"][0]["id"]
    status, _ = call(base, "/api/v1/feedback", {"request_id": first["request_id"],
                                                "content_id": top, "action": "dismissed"}, token)
    assert status == 201
    _, again = call(base, "/api/v1/suggestions", ctx, token)
    assert top not in [s["id"] for s in again["suggestions"]]


def test_errors_over_http_are_json(service):
    base, token, _ = service
    assert call(base, "/api/v1/suggestions", {"context": {"title": 1}}, token)[0] == 400
    assert call(base, "/api/v1/suggestions", {"context": {"title": "x"}})[0] == 401
    status, body = call(base, "/api/v1/suggestions", {"context": {"title": "x" * 70_000}}, token)
    assert status == 413 and body["error"] == "too_large"


def test_a_busy_port_is_a_clear_error(service):
    base, _, home = service
    port = base.rsplit(":", 1)[1]
    out = subprocess.run([str(BIN), "serve", "--port", port], capture_output=True, text=True,
                         env={**os.environ, "JITLEARN_HOME": str(home),
                              "JITLEARN_LOG_LEVEL": "WARNING"}, timeout=60)
    assert out.returncode == 1 and "Pick another with --port" in out.stderr
    assert "Traceback" not in out.stderr
