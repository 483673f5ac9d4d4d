"""Before publishing: what would a draft change? Replayed on recent requests and on judgments.

Recent requests are replayed from their stored topic ids (the context text is never stored):
each one is ranked under the published and the draft taxonomy (topic labels as words, topics
that no longer exist dropped), and the suggestions gained and lost are counted. The judged
contexts (JITLEARN_EVAL_JUDGMENTS) run through both pipelines in full, for metric deltas.
"""

import hashlib
import shutil
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from index import SearchRequest
from nlp import TopicExtractor
from nlp.taxonomy import Taxonomy
from server.content.rulesets import draft, published, texts
from server.runtime import engine_of, index_of
from server.state import runtime_of
from server.storage.models import RuleVersion, SuggestionEvent
from server.suggest.engine import Engine, Settings
from server.suggest.evaluation import run_eval

RECENT = 200  # requests replayed
# What each score on the judged contexts says, for people who read the replay page (0 to 1,
# higher is better for each).
METRICS = {
    "ndcg@5": "how well the first five cards are ordered: the most useful ones first",
    "p@1": "how often the first card is one the judges called useful",
    "recall@10": "how much of what the judges called useful is among the first ten",
    "abstain_accuracy": "how often a page that is not about work gets no cards",
}
SHOWN = 5


def draft_engine(app: Flask, version: RuleVersion) -> Engine:
    """An engine with the draft's taxonomy and rules, built once per draft text."""
    digest = hashlib.sha256((version.taxonomy + version.rules).encode()).hexdigest()
    runtime = runtime_of(app)
    cached = runtime.draft
    if cached is None or cached[0] != digest:
        with runtime.lock:
            taxonomy, rules = _draft_files(app, version, digest)
            extractor = TopicExtractor.build(model=app.config["MODEL"], taxonomy_path=taxonomy,
                                             rules_path=rules)
            engine = Engine(extractor, index_of(app),
                            Settings(stale_days=int(app.config["STALE_DAYS"])))
            cached = runtime.draft = (digest, engine)
    engine, index = cached[1], index_of(app)
    if engine.index is not index:  # a follower swapped in a newer snapshot since
        engine.use_index(index)
    return engine


def _draft_files(app: Flask, version: RuleVersion, digest: str) -> tuple[str, str]:
    folder = Path(app.config["HOME"]) / "rulesets" / f"draft-{digest[:16]}"
    for old in folder.parent.glob("draft-*"):  # earlier states of the draft
        if old != folder:
            shutil.rmtree(old, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "taxonomy.yaml").write_text(version.taxonomy, encoding="utf-8")
    (folder / "rules.jsonl").write_text(version.rules, encoding="utf-8")
    return str(folder / "taxonomy.yaml"), str(folder / "rules.jsonl")


def _shown(app: Flask, taxonomy: Taxonomy, topic_ids: list[str]) -> list[str]:
    ix = index_of(app)
    known = [t for t in topic_ids if t in taxonomy.topics]
    if not known:
        return []
    words = [(taxonomy.label(t), 1.0) for t in known]
    hits = ix.rank(SearchRequest(words=words, topics=[(t, 1.0) for t in known], limit=SHOWN))
    return [h.id for h in hits]


def replay(app: Flask, db: Session) -> dict:
    """Gains and losses on recent requests, and metric deltas on the judgments."""
    version = draft(db)
    if version is None:
        return {"error": "there is no draft: change a topic or a rule first"}
    before = Taxonomy.parse(texts(app, published(db))[0])
    after = Taxonomy.parse(version.taxonomy)
    events = [e for e in db.scalars(select(SuggestionEvent)
                                    .order_by(SuggestionEvent.created_at.desc())
                                    .limit(RECENT * 2)) if e.topics != ["feed"]][:RECENT]
    changed, gained, lost, examples = 0, 0, 0, []
    for event in events:
        topics = [t for t in event.topics or [] if not t.startswith("phrase:")]
        old, new = _shown(app, before, topics), _shown(app, after, topics)
        plus, minus = [d for d in new if d not in old], [d for d in old if d not in new]
        if plus or minus:
            changed += 1
            gained, lost = gained + len(plus), lost + len(minus)
            if len(examples) < 10:
                examples.append({"topics": topics, "gained": plus, "lost": minus})
    out = {"requests": len(events), "changed": changed, "gained": gained, "lost": lost,
           "examples": examples}
    judgments = app.config.get("EVAL_JUDGMENTS") or ""
    if judgments and Path(judgments).is_file():
        now_ = run_eval(engine_of(app), Path(judgments))
        then = run_eval(draft_engine(app, version), Path(judgments))
        out["metrics"] = {k: {"published": now_[k], "draft": then[k], "means": means,
                              "delta": round((then[k] or 0) - (now_[k] or 0), 4)}
                          for k, means in METRICS.items()}
    return out
