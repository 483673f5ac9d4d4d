"""What the benchmark's parts share: where things are, percentiles, a server on a free port."""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "jitlearn"
CAREER_DATA = ("onet-", "esco-")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))]


def summary(values):
    return {"p50": round(pct(values, 50), 2), "p95": round(pct(values, 95), 2)}


def serve(env: dict, *args: str) -> tuple[subprocess.Popen, str]:
    """`jitlearn serve` on a free port, once it answers /healthz: (process, base URL)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(BIN), "serve", "--port", str(port), *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            break
        except OSError:
            time.sleep(0.2)
    return proc, base
