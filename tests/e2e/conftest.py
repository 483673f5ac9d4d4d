"""Fixtures for end-to-end tests: a real `jitlearn serve` process with the sample content."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http import server as httpserver
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "jitlearn"
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "content"
PAGES = Path(__file__).resolve().parent / "pages"
# One document whose title is an HTML payload (escaped in the source, so the parsed title holds
# a real tag): the panel must show it as text.
HOSTILE = """<html><head><title>&lt;img src=x onerror="document.title='PWNED'"&gt;Expense receipts
explained</title></head><body><h1>Expense receipts</h1><p>How receipts work for an expense
report.</p></body></html>
"""


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


def start_server(env: dict, *args: str, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """`jitlearn serve` on port (a free loopback one unless given), once /healthz answers:
    (process, base URL)."""
    port = port or free_port()
    proc = subprocess.Popen([str(BIN), "serve", "--port", str(port), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if call(base, "/healthz")[0] == 200:
                return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    output = proc.stdout.read()
    proc.stdout.close()
    pytest.fail("server did not start: " + output)


@pytest.fixture(scope="session")
def service(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    env = {**os.environ, "JITLEARN_HOME": str(home), "JITLEARN_LOG_LEVEL": "WARNING"}
    cli = lambda *a: subprocess.run([str(BIN), *a], env=env, check=True,  # noqa: E731
                                    capture_output=True, text=True).stdout.strip()
    cli("ingest", "--source", "samples", str(SAMPLES))
    hostile = home / "hostile"
    hostile.mkdir()
    (hostile / "receipts.html").write_text(HOSTILE)
    cli("ingest", "--source", "hostile", str(hostile))
    cli("users", "add", "e2e")
    token = cli("tokens", "create", "e2e")
    proc, base = start_server(env)
    yield base, token, home, env
    proc.terminate()
    proc.wait(timeout=10)
    proc.stdout.close()


def run_cli(env: dict, *args: str) -> str:
    """`jitlearn *args` with this environment; its output (a failure fails the test)."""
    return subprocess.run([str(BIN), *args], env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture(scope="session")
def cli():
    """cli(env, *args) -> the output of `jitlearn *args` run with env."""
    return run_cli


@pytest.fixture(scope="session")
def serve():
    """serve(env, *args) -> (process, base URL): a server of a test's own."""
    return start_server


@pytest.fixture(scope="session")
def http():
    """call(base, path, body=None, token=None) -> (status, json)."""
    return call


@pytest.fixture(scope="session")
def jitlearn_bin() -> Path:
    return BIN


class PageHandler(httpserver.SimpleHTTPRequestHandler):
    """Serves tests/e2e/pages quietly; /spa/... is the single-page app at any path."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(PAGES), **kwargs)

    def log_message(self, *args):
        pass

    def translate_path(self, path):
        return super().translate_path("/spa.html" if path.startswith("/spa") else path)


@pytest.fixture(scope="session")
def pages_server():
    """The local test pages (an expense report, a sports page, a single-page app) over HTTP."""
    server = httpserver.ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
