"""Rate limits per API token and per client address: 429 with Retry-After, never a slow death.

Counted in this process, in fixed one-minute windows (several processes each allow the limit; a
shared store is for a larger deployment). Settings: JITLEARN_RATE_PER_TOKEN,
JITLEARN_RATE_PER_IP (requests a minute on /api) and JITLEARN_RATE_LOGIN (console sign-in
attempts a minute from one address).
"""

import hashlib
import threading
import time

from flask import Flask, request

from .errors import ApiError

WINDOW_S = 60


class Limiter:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts: dict[tuple[str, str], tuple[int, int]] = {}  # key -> (window, count)

    def hit(self, kind: str, key: str, limit: int) -> int:
        """Count one request; 0 when allowed, else seconds until the window ends."""
        if limit <= 0:
            return 0
        now = time.time()
        window = int(now // WINDOW_S)
        with self.lock:
            if len(self.counts) > 100_000:  # forget finished windows
                self.counts = {k: v for k, v in self.counts.items() if v[0] == window}
            start, count = self.counts.get((kind, key), (window, 0))
            count = count + 1 if start == window else 1
            self.counts[(kind, key)] = (window, count)
        return 0 if count <= limit else max(1, int((window + 1) * WINDOW_S - now) + 1)


def init_app(app: Flask) -> None:
    limiter = app.extensions["jitlearn.limiter"] = Limiter()

    @app.before_request
    def limit():
        address = request.remote_addr or "?"
        if request.path.startswith("/api/"):
            wait = limiter.hit("ip", address, int(app.config["RATE_PER_IP"]))
            token = request.headers.get("Authorization", "")
            if not wait and token:
                key = hashlib.sha256(token.encode()).hexdigest()  # the token is never kept
                wait = limiter.hit("token", key, int(app.config["RATE_PER_TOKEN"]))
            if wait:
                raise TooMany(wait)
        elif request.path == "/console/login" and request.method == "POST":
            wait = limiter.hit("login", address, int(app.config["RATE_LOGIN"]))
            if wait:
                raise TooMany(wait, "too many sign-in attempts from here; wait a minute")


class TooMany(ApiError):
    def __init__(self, wait: int, message: str = ""):
        super().__init__("too_many_requests", message or f"slow down: try again in {wait} s",
                         429)
        self.retry_after = wait
