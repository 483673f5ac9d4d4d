"""Rate limits per API token and per client address: 429 with Retry-After, never a slow death.

Counted in fixed one-minute windows. One process counts in memory. Several processes (gunicorn
workers, several machines: JITLEARN_RATE_SHARED, on by default with PostgreSQL and with
`serve --workers`) also add their counts to the rate_counts table once a second and read back
everyone's, so a limit holds for the whole deployment give or take a second of traffic.
Settings: JITLEARN_RATE_PER_TOKEN, JITLEARN_RATE_PER_IP (requests a minute on /api) and
JITLEARN_RATE_LOGIN (console sign-in attempts a minute from one address).
"""

import hashlib
import logging
import threading
import time

from flask import Flask, request
from sqlalchemy import text
from sqlalchemy.engine import Engine

from server.errors import ApiError
from server.state import runtime_of

log = logging.getLogger(__name__)
WINDOW_S = 60
SHARE_EVERY_S = 1.0
ADD = text("INSERT INTO rate_counts (kind, key, win, count) VALUES (:kind, :key, :win, :n) "
           "ON CONFLICT (kind, key, win) DO UPDATE SET count = rate_counts.count + :n "
           "RETURNING count")  # SQLite 3.35+ and PostgreSQL alike


class Limiter:
    def __init__(self, shared: Engine | None = None):
        self.lock = threading.Lock()
        self.counts: dict[tuple[str, str], tuple[int, int]] = {}  # key -> (window, count)
        self.shared = shared
        self.others: dict[tuple[str, str], tuple[int, int]] = {}  # other processes' counts
        self.pending: dict[tuple[str, str], tuple[int, int]] = {}  # not yet shared
        self.sent: dict[tuple[str, str], tuple[int, int]] = {}  # shared so far (sharing thread)
        self.limits: dict[str, int] = {}  # kind -> its limit, as last asked

    def hit(self, kind: str, key: str, limit: int) -> int:
        """Count one request; 0 when allowed, else seconds until the window ends."""
        if limit <= 0:
            return 0
        self.limits[kind] = limit
        now = time.time()
        window = int(now // WINDOW_S)
        with self.lock:
            if len(self.counts) > 100_000:  # forget finished windows
                self.counts = {k: v for k, v in self.counts.items() if v[0] == window}
                self.others = {k: v for k, v in self.others.items() if v[0] == window}
            start, count = self.counts.get((kind, key), (window, 0))
            count = count + 1 if start == window else 1
            self.counts[(kind, key)] = (window, count)
            if self.shared is not None:
                start, waiting = self.pending.get((kind, key), (window, 0))
                self.pending[(kind, key)] = (window, waiting + 1 if start == window else 1)
                seen, elsewhere = self.others.get((kind, key), (window, 0))
                count += elsewhere if seen == window else 0
        return 0 if count <= limit else max(1, int((window + 1) * WINDOW_S - now) + 1)

    def share(self) -> None:
        """Add this process's new counts to the table and learn everyone else's."""
        with self.lock:
            pending, self.pending = self.pending, {}
        window = int(time.time() // WINDOW_S)
        with self.shared.begin() as conn:
            for (kind, key), (win, n) in pending.items():
                if win != window:
                    continue  # a finished window: nothing left to decide with it
                total = conn.execute(ADD, {"kind": kind, "key": key, "win": win,
                                           "n": n}).scalar()
                before, sent = self.sent.get((kind, key), (win, 0))
                sent = sent + n if before == win else n
                self.sent[(kind, key)] = (win, sent)
                with self.lock:
                    self.others[(kind, key)] = (win, total - sent)
            for kind, limit in list(self.limits.items()):  # keys near a limit, from anywhere
                rows = conn.execute(text("SELECT key, count FROM rate_counts WHERE win = :win "
                                         "AND kind = :kind AND count >= :floor"),
                                    {"win": window, "kind": kind, "floor": limit // 2})
                for key, total in rows:
                    before, sent = self.sent.get((kind, key), (window, 0))
                    with self.lock:
                        self.others[(kind, key)] = (window, total - (sent if before == window
                                                                     else 0))
            conn.execute(text("DELETE FROM rate_counts WHERE win < :old"), {"old": window - 1})
        self.sent = {k: v for k, v in self.sent.items() if v[0] == window}

    def start_sharing(self) -> None:
        def loop():
            while True:
                time.sleep(SHARE_EVERY_S)
                try:
                    self.share()
                except Exception as exc:  # noqa: BLE001  (the database may be away a while)
                    log.warning("rate limits: could not share counts: %s", exc)

        threading.Thread(target=loop, name="rate-limit-sharing", daemon=True).start()


def init_app(app: Flask) -> None:
    shared = app.config["RATE_SHARED"]
    if shared == "auto":
        shared = app.config["DATABASE_URL"].startswith("postgresql")
    runtime = runtime_of(app)
    limiter = runtime.limiter = Limiter(runtime.database if shared in (True, "true", "1")
                                        else None)
    # the sharing thread starts with a serving process (cli.serve), not with every app

    @app.before_request
    def limit():
        address = request.remote_addr or "?"
        if request.path.startswith(("/api/", "/scim/")):
            wait = limiter.hit("ip", address, int(app.config["RATE_PER_IP"]))
            token = request.headers.get("Authorization", "")
            if not wait and token:
                key = hashlib.sha256(token.encode()).hexdigest()  # the token is never kept
                wait = limiter.hit("token", key, int(app.config["RATE_PER_TOKEN"]))
            if wait:
                raise TooMany(wait)
        elif ((request.path == "/console/login" and request.method == "POST")
              or request.path == "/console/oidc/callback"):
            wait = limiter.hit("login", address, int(app.config["RATE_LOGIN"]))
            if wait:
                raise TooMany(wait, "too many sign-in attempts from here; wait a minute")


class TooMany(ApiError):
    def __init__(self, wait: int, message: str = ""):
        super().__init__("too_many_requests", message or f"slow down: try again in {wait} s",
                         429)
        self.retry_after = wait
