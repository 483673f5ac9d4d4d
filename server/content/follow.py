"""Several machines, one index: the writer publishes snapshots, the others follow them.

With JITLEARN_INDEX_SNAPSHOTS set to a directory every machine can read (a network share), the
machine that writes the index (the one running the scheduler and `jitlearn ingest`) publishes a
snapshot there whenever its index changed, checked every SNAPSHOT_EVERY_SECONDS; machines with
JITLEARN_INDEX_FOLLOW=true copy the newest snapshot to their own disk, open it read-only and swap
it in (index/snapshots.py says why no reader sees half a snapshot).
"""

import logging
import threading
from pathlib import Path

from flask import Flask

from index import ContentIndex, snapshots
from server.jobs.runs import recorded
from server.state import Runtime, runtime_of

log = logging.getLogger(__name__)


def store(app: Flask) -> Path:
    return Path(app.config["INDEX_SNAPSHOTS"])


def local(app: Flask) -> Path:
    return Path(app.config["HOME"]) / "snapshots"


def publish_if_changed(app: Flask, ix: ContentIndex) -> str | None:
    """On the writer: publish the index unless the newest snapshot already holds it."""
    if snapshots.generation(snapshots.current(store(app))) == ix.ix.latest_generation():
        return None
    names: list[str] = []

    def work() -> str:
        names.append(snapshots.publish(ix, store(app)))
        return f"published {names[0]}"

    recorded(app, "publish-index", work)
    return names[0]


def follow_once(app: Flask) -> bool:
    """On a follower: swap in the newest published snapshot if it is new; True if swapped."""
    runtime = runtime_of(app)
    name = snapshots.current(store(app))
    if name is None or name == runtime.snapshot:
        return False
    ix = ContentIndex(snapshots.fetch(store(app), name, local(app)), read_only=True)
    ix.profiles()  # read the rankings' profiles before the first request needs them
    runtime.swap_index(ix, name)
    log.info("index: now serving snapshot %s (%d documents)", name, ix.doc_count())
    return True


def first_index(app: Flask, runtime: Runtime) -> None:
    """A follower's index before its first swap: the published one, else the last it had."""
    try:
        if follow_once(app):
            return
    except OSError as exc:
        log.warning("index: cannot read snapshots from %s: %s", store(app), exc)
    found = snapshots.newest_local(local(app))
    runtime.swap_index(ContentIndex(found or local(app) / "none-yet", read_only=True))


def start_following(app: Flask) -> threading.Thread:
    every = float(app.config["SNAPSHOT_EVERY_SECONDS"])

    def loop():
        while True:
            threading.Event().wait(every)
            try:
                follow_once(app)
            except Exception:  # noqa: BLE001  (the share may be away a while: keep serving)
                log.exception("index: could not follow the published snapshots")

    thread = threading.Thread(target=loop, name="index-follower", daemon=True)
    thread.start()
    return thread
