"""Writing the index: a document's stored fields, and the writer callers use (never Whoosh's)."""

import json
import zlib
from collections import Counter
from datetime import UTC, datetime

from .documents import Document
from .hits import SUBJECT_WEIGHT
from .links import path_words
from .tags import snapshot

# 2: every body term (1 kept the 150 most frequent); an older profile is remade at the next sync
PROFILE_VERSION = 2


def make_profile(analyze, title: str, headings: list[str], body: str) -> str:
    """The JSON stored with a document at ingest: term frequencies per field, body length."""
    body_terms = Counter(analyze(body))
    return json.dumps({
        "v": PROFILE_VERSION,
        "title": dict(Counter(analyze(title))),
        "headings": dict(Counter(analyze(" ".join(headings)))),
        "body": dict(body_terms),
        "len": {"title": len(analyze(title)), "headings": len(analyze(" ".join(headings))),
                "body": sum(body_terms.values())},
    }, separators=(",", ":"))


def current(profile: str | None) -> bool:
    """Was this stored profile made by this version of make_profile?"""
    return bool(profile) and profile.startswith(f'{{"v":{PROFILE_VERSION},')


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
