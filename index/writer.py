"""Writing the index: a document's stored fields, and the writer callers use (never Whoosh's)."""

import json
import zlib
from datetime import UTC, datetime

from .documents import Document
from .hits import SUBJECT_WEIGHT
from .profiles import make_profile, path_words
from .tags import snapshot


class IndexWriter:
    """A thin wrapper so callers never touch Whoosh types."""

    def __init__(self, w):
        self._w = w
        analyzer = w.schema["body"].analyzer
        self._analyze = lambda text: [t.text for t in analyzer(text)]

    def update(self, doc: Document) -> None:
        fields = to_fields(doc)
        fields["profile"] = doc.profile or make_profile(self._analyze, doc.title, doc.headings,
                                                        doc.body)
        self._w.update_document(**fields)

    def delete(self, doc_id: str) -> int:
        return self._w.delete_by_term("id", doc_id)


def to_fields(doc: Document) -> dict:
    fields = dict(
        id=doc.id, source=doc.source, title=doc.title, path=path_words(doc.id),
        headings="\n".join(doc.headings),
        summary=doc.summary, body=doc.body, url=doc.url, type=doc.type,
        topics=",".join(doc.topics), topic_weights=json.dumps(doc.topics),
        subjects=",".join(t for t, w in doc.topics.items() if w >= SUBJECT_WEIGHT),
        tags=",".join(doc.tags), skills=",".join(doc.skills), audience=",".join(doc.audience),
        mandatory=doc.mandatory, language=doc.language, level=doc.level,
        duration=doc.duration, provider=doc.provider, hash=doc.hash, links=doc.links,
    )
    original = doc.original if doc.original is not None else snapshot(doc)
    fields["proposed"] = json.dumps(original["topics"])
    fields["text"] = zlib.compress(json.dumps(
        {"headings": doc.headings, "body": doc.body, "original": original}).encode(), 1)
    for name in ("updated", "review_by"):
        value = getattr(doc, name)
        if value is not None:
            fields[name] = value.replace(tzinfo=None)
    fields["indexed"] = doc.indexed or datetime.now(UTC).replace(tzinfo=None)
    fields["owner"] = doc.owner
    return fields
