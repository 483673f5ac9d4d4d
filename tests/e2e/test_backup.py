"""`jitlearn backup` of a live data directory while a server answers, and `jitlearn restore`."""

import io
import os
import socket
import subprocess
import tarfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "content"


def serve(jitlearn_bin, env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(jitlearn_bin), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not start")


def test_backup_while_serving_then_restore_and_serve_the_copy(tmp_path, jitlearn_bin, http):
    home, copy = tmp_path / "home", tmp_path / "restored"
    env = {**os.environ, "JITLEARN_HOME": str(home), "JITLEARN_LOG_LEVEL": "WARNING",
           "JITLEARN_MODEL": ""}

    def cli(*args, environ=env, check=True):
        return subprocess.run([str(jitlearn_bin), *args], env=environ, check=check,
                              capture_output=True, text=True)

    cli("ingest", "--source", "samples", str(SAMPLES))
    cli("users", "add", "ada")
    token = cli("tokens", "create", "ada").stdout.strip()
    proc, base = serve(jitlearn_bin, env)
    answered, stop = [], threading.Event()

    def keep_asking():
        while not stop.is_set():
            status, _ = http(base, "/api/v1/suggestions",
                             {"context": {"title": "Expense report - Navan"}}, token)
            answered.append(status)

    worker = threading.Thread(target=keep_asking)
    worker.start()
    try:
        time.sleep(1)
        done = cli("backup", str(tmp_path / "b.tar.gz"))
        assert "backed up" in done.stdout
        time.sleep(0.5)
    finally:
        stop.set()
        worker.join()
        proc.terminate()
        proc.wait(timeout=10)
    assert answered and set(answered) == {200}  # the server went on answering

    restored = cli("restore", str(tmp_path / "b.tar.gz"), str(copy))
    assert "database ok" in restored.stdout and "documents" in restored.stdout
    env2 = {**env, "JITLEARN_HOME": str(copy)}
    proc2, base2 = serve(jitlearn_bin, env2)
    try:
        status, me = http(base2, "/api/v1/me", token=token)  # the same token works there
        assert status == 200 and me["name"] == "ada"
        _, health = http(base2, "/healthz")
        assert health["checks"]["documents"] > 60
    finally:
        proc2.terminate()
        proc2.wait(timeout=10)

    again = cli("restore", str(tmp_path / "b.tar.gz"), str(copy), check=False)
    assert again.returncode == 1 and "not empty" in again.stderr
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        for name in ("jitlearn-backup.json", "../outside.txt"):
            info = tarfile.TarInfo(name)
            info.size = 2
            tar.addfile(info, io.BytesIO(b"{}"))
    refused = cli("restore", str(evil), str(tmp_path / "fresh"), check=False)
    assert refused.returncode == 1 and "outside the data directory" in refused.stderr
    assert not (tmp_path / "outside.txt").exists()
