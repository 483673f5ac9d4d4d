"""Long-lived objects of a process: the engine (pipeline + index), built once, on first use."""

import logging
import threading
import time
from pathlib import Path

from flask import Flask

from index import ContentIndex, path_words
from nlp import DocumentTagger, TopicExtractor
from nlp.taxonomy import Taxonomy
from server.content import rulesets
from server.content.follow import first_index
from server.suggest.engine import Engine, Settings
from server.suggest.ranker import DEFAULT, Model

log = logging.getLogger(__name__)
_lock = threading.RLock()  # engine_of builds the index under it too


RELOAD_S = 2.0  # how often a process checks for a newly published taxonomy and rules


def ruleset(app: Flask) -> tuple[int, str | None, str | None]:
    """(version, taxonomy path, rules path) of the published taxonomy and rules; version 0 is
    the built-in files. Checked against the database at most every RELOAD_S seconds."""
    cached = app.extensions.get("jitlearn.ruleset")
    if cached is not None and time.monotonic() - cached[0] < RELOAD_S:
        return cached[1:]
    with app.extensions["jitlearn.db"]() as db:
        version = rulesets.published(db)
        taxonomy, rules = rulesets.paths(app, version)
    value = (version.id if version else 0, taxonomy, rules)
    app.extensions["jitlearn.ruleset"] = (time.monotonic(), *value)
    return value


def ruleset_changed(app: Flask) -> None:
    """This process published or rolled back: look again now (others do within RELOAD_S)."""
    app.extensions.pop("jitlearn.ruleset", None)


def engine_of(app: Flask) -> Engine:
    """The process's engine; the spaCy pipeline loads here, not at import or app creation,
    and again when a new taxonomy and rules version is published."""
    version, taxonomy, rules = ruleset(app)
    engine = app.extensions.get("jitlearn.engine")
    # an engine set without a version (the tests' shared one) was built from the built-in files
    if engine is None or app.extensions.get("jitlearn.engine_version", 0) != version:
        with _lock:
            engine = app.extensions.get("jitlearn.engine")
            if engine is None or app.extensions.get("jitlearn.engine_version", 0) != version:
                cfg = app.config
                extractor = TopicExtractor.build(model=cfg["MODEL"], taxonomy_path=taxonomy,
                                                 rules_path=rules)
                engine = Engine(extractor, index_of(app),
                                Settings(stale_days=int(cfg["STALE_DAYS"])), model_of(app))
                app.extensions["jitlearn.engine"] = engine
                app.extensions["jitlearn.engine_version"] = version
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
    ix = app.extensions.get("jitlearn.index")
    if ix is None:
        with _lock:
            ix = app.extensions.get("jitlearn.index")
            if ix is None and app.config["INDEX_FOLLOW"]:  # another machine writes the index
                ix = app.extensions["jitlearn.index"] = first_index(app)
            elif ix is None:
                ix = app.extensions["jitlearn.index"] = ContentIndex(app.config["INDEX_DIR"])
    return ix


def taxonomy_of(app: Flask) -> Taxonomy:
    """The published taxonomy (reloaded when a new version is published)."""
    version, path, _ = ruleset(app)
    cached = app.extensions.get("jitlearn.taxonomy")
    if cached is None or cached[0] != version:
        cached = app.extensions["jitlearn.taxonomy"] = (version, Taxonomy.load(path))
        app.extensions.pop("jitlearn.skill_phrases", None)  # built from the taxonomy
    return cached[1]


def tagger_of(app: Flask):
    """A function Document -> {topic: weight} for ingest, with the app's taxonomy."""
    tagger = DocumentTagger(ruleset(app)[1])
    return lambda doc: tagger.tag(doc.title, doc.headings, doc.summary, doc.body,
                                  path_words(doc.id), doc.tags)


def health(app: Flask) -> dict:
    report = {"status": "ok", "checks": {}}
    try:
        from sqlalchemy import text

        with app.extensions["jitlearn.db"]() as db:
            db.execute(text("SELECT 1"))
        report["checks"]["database"] = "ok"
    except Exception as exc:  # noqa: BLE001  (health must answer whatever broke)
        report["status"] = "down"
        report["checks"]["database"] = f"error: {exc.__class__.__name__}"
    engine = app.extensions.get("jitlearn.engine")
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
