"""Building the Runtime's heavy objects on first use: the engine (the spaCy pipeline and the
index), the published taxonomy and rules, the tagger; and the health check that reports on them."""

import logging
import time
from pathlib import Path

from flask import Flask

from index import ContentIndex, path_words
from nlp import DocumentTagger, TopicExtractor
from nlp.taxonomy import Taxonomy
from server.content import rulesets
from server.content.follow import first_index
from server.state import runtime_of
from server.suggest.engine import Engine, Settings
from server.suggest.ranker import DEFAULT, Model

log = logging.getLogger(__name__)


RELOAD_S = 2.0  # how often a process checks for a newly published taxonomy and rules


def ruleset(app: Flask) -> tuple[int, str | None, str | None]:
    """(version, taxonomy path, rules path) of the published taxonomy and rules; version 0 is
    the built-in files. Checked against the database at most every RELOAD_S seconds."""
    runtime = runtime_of(app)
    cached = runtime.ruleset
    if cached is not None and time.monotonic() - cached[0] < RELOAD_S:
        return cached[1:]
    with runtime.sessions() as db:
        version = rulesets.published(db)
        taxonomy, rules = rulesets.paths(app, version)
    value = (version.id if version else 0, taxonomy, rules)
    runtime.ruleset = (time.monotonic(), *value)
    return value


def ruleset_changed(app: Flask) -> None:
    """This process published or rolled back: look again now (others do within RELOAD_S)."""
    runtime_of(app).taxonomy_changed()


def engine_of(app: Flask) -> Engine:
    """The process's engine; the spaCy pipeline loads here, not at import or app creation,
    and again when a new taxonomy and rules version is published."""
    version, taxonomy, rules = ruleset(app)
    runtime = runtime_of(app)
    engine = runtime.engine
    # an engine set without a version (the tests' shared one) was built from the built-in files
    if engine is None or runtime.engine_version != version:
        with runtime.lock:
            engine = runtime.engine
            if engine is None or runtime.engine_version != version:
                cfg = app.config
                extractor = TopicExtractor.build(model=cfg["MODEL"], taxonomy_path=taxonomy,
                                                 rules_path=rules)
                engine = Engine(extractor, index_of(app),
                                Settings(stale_days=int(cfg["STALE_DAYS"])), model_of(app))
                runtime.engine, runtime.engine_version = engine, version
                log.info("engine ready: pipeline %s%s, rules version %d, %d documents",
                         extractor.info.model, " (DEGRADED: " + extractor.info.reason + ")"
                         if extractor.info.degraded else "", version,
                         engine.index.doc_count())
    return engine


def model_of(app: Flask) -> Model:
    """The ranking model: JITLEARN_RANKER, else the organisation's own in HOME, else ours."""
    configured = app.config["RANKER"]
    own = Path(app.config["HOME"]) / "ranker.json"
    return Model.load(Path(configured) if configured else own if own.exists() else DEFAULT)


def index_of(app: Flask) -> ContentIndex:
    runtime = runtime_of(app)
    if runtime.index is None:
        with runtime.lock:
            if runtime.index is None and app.config["INDEX_FOLLOW"]:  # another machine writes it
                first_index(app, runtime)
            elif runtime.index is None:
                runtime.index = ContentIndex(app.config["INDEX_DIR"])
                runtime.index.tag_floor = float(app.config["TAG_FLOOR"])
    return runtime.index


def taxonomy_of(app: Flask) -> Taxonomy:
    """The published taxonomy (reloaded when a new version is published)."""
    version, path, _ = ruleset(app)
    runtime = runtime_of(app)
    if runtime.taxonomy is None or runtime.taxonomy[0] != version:
        runtime.taxonomy = (version, Taxonomy.load(path))
        runtime.skill_phrases = None  # built from the taxonomy
    return runtime.taxonomy[1]


def tagger_of(app: Flask):
    """A function Document -> {topic: weight} for ingest, with the app's taxonomy."""
    tagger = DocumentTagger(ruleset(app)[1])
    return lambda doc: tagger.tag(doc.title, doc.headings, doc.summary, doc.body,
                                  path_words(doc.id), doc.tags)


def health(app: Flask) -> dict:
    report = {"status": "ok", "checks": {}}
    try:
        from sqlalchemy import text

        with runtime_of(app).sessions() as db:
            db.execute(text("SELECT 1"))
        report["checks"]["database"] = "ok"
    except Exception as exc:  # noqa: BLE001  (health must answer whatever broke)
        report["status"] = "down"
        report["checks"]["database"] = f"error: {exc.__class__.__name__}"
    engine = runtime_of(app).engine
    if engine is None:
        report["checks"]["pipeline"] = "not loaded yet (loads on the first suggestion)"
    else:
        info = engine.extractor.info
        report["checks"]["pipeline"] = info.model
        if info.degraded:
            report["status"] = "degraded" if report["status"] == "ok" else report["status"]
            report["degraded"] = info.reason + ": topics come from the taxonomy, rules and " \
                "keyphrases only, without named entities or lemmas"
    try:
        report["checks"]["documents"] = index_of(app).doc_count()
    except Exception as exc:  # noqa: BLE001
        report["status"] = "down"
        report["checks"]["documents"] = f"error: {exc.__class__.__name__}"
    return report
