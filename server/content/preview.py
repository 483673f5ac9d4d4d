"""Before L&D save a tag change: where the document would rank on the test bench's saved pages
(the judged contexts, JITLEARN_EVAL_JUDGMENTS) with the change, beside where it ranks now.

Nothing is saved and the live index is never written. The index is copied (under its write
lock, so no commit lands half-way), the change is applied to the copy the way a save applies
it (content/tags.merge, then ContentIndex.retag), and an engine over the copy, with the live
engine's pipeline (left reading the live index's word statistics, which tags do not change),
settings and model, answers each saved page as it would for someone in no
audience group (what everyone is shown). A preview therefore costs a copy
of the index and two answers a page: seconds on a large library, so it is asked for, never
computed on its own.
"""

import shutil
import tempfile
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from index import ContentIndex
from nlp import Context
from server.content.tags import merge
from server.errors import ApiError
from server.runtime import engine_of, index_of
from server.storage.models import ContentTags
from server.suggest.engine import Engine

MAX_PAGES = 100  # saved pages a preview answers
DEPTH = 10  # ranks looked at: a document further down is "not among the first 10"
SHOWN = 3  # what the panel shows by default


def preview(app: Flask, db: Session, doc_id: str, changes: dict, pages: list[dict]) -> dict:
    """{"pages": n, "moves": [{id, title, before, after}]}: the saved pages on which the
    document's rank (1-based; None when not among the first DEPTH) would change."""
    ix, live = index_of(app), engine_of(app)
    hit = ix.get(doc_id)
    if hit is None or ix.document(doc_id) is None:
        raise ApiError("needs_sync", "indexed by an older version: sync its source first")
    row = db.get(ContentTags, doc_id)
    fields = merge(hit, row.fields if row else {}, changes)
    pages = [p for p in pages if isinstance(p.get("context"), dict)][:MAX_PAGES]
    moves = []
    with tempfile.TemporaryDirectory(prefix="jitlearn-preview-") as tmp:
        with ix.locked(timeout=float(app.config["TAG_WRITE_TIMEOUT"])):
            shutil.copytree(ix.path, Path(tmp) / "index")
        copy = ContentIndex(Path(tmp) / "index")
        copy.tag_floor = ix.tag_floor
        copy.retag({doc_id: fields or None})
        changed = Engine(live.extractor, copy, live.settings, live.model, same_words=True)
        for page in pages:
            context = Context.from_dict(page["context"])
            before, after = _rank(live, context, doc_id), _rank(changed, context, doc_id)
            if before != after:
                moves.append({"id": str(page.get("id", "")), "title": context.title,
                              "before": before, "after": after})
    moves.sort(key=lambda m: (_shown(m["after"]) == _shown(m["before"]), m["after"] or DEPTH + 1))
    return {"pages": len(pages), "moves": moves}


def _rank(engine: Engine, context: Context, doc_id: str) -> int | None:
    """Its rank for someone in no audience group: what everyone is shown."""
    ids = [s.id for s in engine.suggest(context, limit=DEPTH, groups=set()).suggestions]
    return ids.index(doc_id) + 1 if doc_id in ids else None


def _shown(rank: int | None) -> bool:
    return rank is not None and rank <= SHOWN


def in_words(move: dict, title: str) -> str:
    """'would move Expense Policy from #5 to #1 for "Expense report - Navan"'."""
    before, after = move["before"], move["after"]
    where = f"for “{move['title'] or move['id']}”"
    if before is None:
        return f"would bring {title} in at #{after} {where}"
    if after is None:
        return f"would take {title} out of the first {DEPTH} (from #{before}) {where}"
    return f"would move {title} from #{before} to #{after} {where}"
