"""Long-lived objects of a process: the engine (pipeline + index), built once, on first use."""

import logging
import threading

from flask import Flask

from index import ContentIndex, path_words
from nlp import DocumentTagger, TopicExtractor
from nlp.taxonomy import Taxonomy

from .engine import Engine, Settings

log = logging.getLogger(__name__)
_lock = threading.Lock()


def engine_of(app: Flask) -> Engine:
    """The process's engine; the spaCy pipeline loads here, not at import or app creation."""
    engine = app.extensions.get("jitlearn.engine")
    if engine is None:
        with _lock:
            engine = app.extensions.get("jitlearn.engine")
            if engine is None:
                cfg = app.config
                extractor = TopicExtractor.build(model=cfg["MODEL"],
                                                 taxonomy_path=cfg["TAXONOMY"] or None,
                                                 rules_path=cfg["RULES"] or None)
                engine = Engine(extractor, index_of(app),
                                Settings(stale_days=int(cfg["STALE_DAYS"])))
                app.extensions["jitlearn.engine"] = engine
                log.info("engine ready: pipeline %s%s, %d documents", extractor.info.model,
                         " (DEGRADED: " + extractor.info.reason + ")"
                         if extractor.info.degraded else "", engine.index.doc_count())
    return engine


def index_of(app: Flask) -> ContentIndex:
    ix = app.extensions.get("jitlearn.index")
    if ix is None:
        ix = app.extensions["jitlearn.index"] = ContentIndex(app.config["INDEX_DIR"])
    return ix


def taxonomy_of(app: Flask) -> Taxonomy:
    taxonomy = app.extensions.get("jitlearn.taxonomy")
    if taxonomy is None:
        taxonomy = app.extensions["jitlearn.taxonomy"] = Taxonomy.load(
            app.config["TAXONOMY"] or None)
    return taxonomy


def tagger_of(app: Flask):
    """A function Document -> {topic: weight} for ingest, with the app's taxonomy."""
    tagger = DocumentTagger(app.config["TAXONOMY"] or None)
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
