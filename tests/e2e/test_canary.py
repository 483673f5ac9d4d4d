"""A canary in every context field never reaches the database, the index or the logs."""

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "content"
CANARY = "zqxjkv7731"


def test_a_canary_in_every_context_field_is_found_nowhere(tmp_path, jitlearn_bin, http):
    env = {**os.environ, "JITLEARN_HOME": str(tmp_path / "home"), "JITLEARN_LOG_LEVEL": "DEBUG"}

    def cli(*args):
        return subprocess.run([str(jitlearn_bin), *args], env=env, check=True,
                              capture_output=True, text=True).stdout.strip()

    cli("ingest", "--source", "samples", str(SAMPLES))
    cli("users", "add", "ada")
    token = cli("tokens", "create", "ada")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(jitlearn_bin), "serve", "--port", str(port)], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            context = {"title": f"Expense report {CANARY} - Navan",
                       "url": f"https://{CANARY}.example.com/{CANARY}/expenses",
                       "headings": [f"Claim for {CANARY.upper()}"],
                       "selection": f"receipt {CANARY}", "text": f"Reimburse {CANARY} today.",
                       "description": f"{CANARY} travel"}
            # on a host nobody names, the small sample library may or may not answer; on the
            # expense tool's own address its rule does, so both paths are walked
            status, _ = http(base, "/api/v1/suggestions", {"context": context}, token)
            assert status == 200
            context["url"] = f"https://app.navan.com/expenses/{CANARY}"
            status, answer = http(base, "/api/v1/suggestions", {"context": context}, token)
            assert status == 200 and answer["suggestions"]
            http(base, "/api/v1/feedback", {"request_id": answer["request_id"],
                                            "content_id": answer["suggestions"][0]["id"],
                                            "action": "helpful"}, token)
            http(base, "/api/v1/me/feed", token=token)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    found = [str(p) for p in [*Path(env["JITLEARN_HOME"]).rglob("*"), log]
             if p.is_file() and CANARY.encode() in p.read_bytes().lower()]
    assert found == []
    assert log.stat().st_size > 0  # the server did log, at DEBUG, without the canary
