"""What one process keeps between requests: the Runtime, one per app (`runtime_of(app)`)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask
from sqlalchemy.orm import sessionmaker

if TYPE_CHECKING:  # for the annotations only: building them is server/runtime.py's work
    from sqlalchemy.engine import Engine as Database

    from index import ContentIndex
    from nlp.taxonomy import Taxonomy
    from server.suggest.engine import Engine


KEY = "jitlearn"  # the app.extensions key: the only one jitlearn uses


@dataclass(eq=False)
class Runtime:
    """Everything one process keeps between requests, in one place: `runtime_of(app)`.

    The engine, the index and the taxonomy are built on first use by server/runtime.py, and read
    through its functions (engine_of, index_of, taxonomy_of); each cache belongs to the module
    named beside it, which builds it under `lock`.
    """

    database: Database
    sessions: sessionmaker  # a database session per request or job
    limiter: Any = None  # the rate limits (server/limits.py Limiter)
    index: ContentIndex | None = None
    snapshot: str | None = None  # on a follower, the published snapshot being served
    engine: Engine | None = None  # the pipeline and the index: suggestions
    engine_version: int = 0  # the taxonomy and rules version the engine was built from
    ruleset: tuple | None = None  # (checked at, version, taxonomy path, rules path)
    taxonomy: tuple[int, Taxonomy] | None = None  # (version, the published taxonomy)
    skill_phrases: dict | None = None  # built from the taxonomy (server/career/skills.py)
    titles: tuple | None = None  # (signature of the titles, Matchers)
    duties: dict = field(default_factory=dict)  # content for a duty or a goal (people/gaps.py)
    draft: tuple[str, Engine] | None = None  # (digest of the draft, its engine): the test bench
    rollup: Any = None  # analytics over the events (server/suggest/analytics.py)
    analytics: dict | None = None  # the last analytics snapshot computed from the rollup
    lock: threading.RLock = field(default_factory=threading.RLock)  # building any of these

    def swap_index(self, index: ContentIndex, snapshot: str | None = None) -> None:
        """Serve another index (a follower's new snapshot): everything that reads it moves."""
        with self.lock:
            self.index, self.snapshot = index, snapshot
            for engine in (self.engine, self.draft[1] if self.draft else None):
                if engine is not None:
                    engine.use_index(index)
            self.skill_phrases = None  # its phrases are in the index's analysis

    def taxonomy_changed(self) -> None:
        """A new taxonomy and rules version was published here: look again on the next use."""
        self.ruleset = None


def runtime_of(app: Flask) -> Runtime:
    return app.extensions[KEY]
