"""Document profiles: the words and topics of every document, in memory, for fast ranking.

Whoosh stores the library and answers full-text search, but an OR query over the body of 7,500
documents takes 100-300 ms here (its matchers are pure Python). Suggestions must come back in
about the time of one spaCy pass (~10 ms), so the hot path ranks from these profiles instead:
term and topic postings as numpy arrays, built once from the index's stored fields (about 1 s
for the reference corpus) and rebuilt whenever the index changes.
"""

import json
import math
import time
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC

import numpy as np

from .links import path_key

# BM25 constants. B (length normalisation) is 0.3, not the usual 0.75: the pages people need are
# often long hub pages ("Leave Types", "Procurement"), and full normalisation buries them under
# short notes that repeat a word (dev judgments: nDCG@5 0.49 at 0.3 against 0.46 at 0.75).
K1, B = 1.2, 0.3
FIELD_WEIGHTS = {"title": 3.0, "headings": 1.5, "body": 1.0}
PROFILE_TERMS = 150  # body terms kept per document, most frequent first
# Topic agreement is a mean over the page's topics weighted by weight**2, so the page's main
# topic counts most and a passing mention ("via Finance") hardly at all.
AGREE_POWER = 2
AUTHORITY_SCALE = 10.0
UNSHOWN = ("profile", "links", "text", "proposed")  # stored fields ranking never shows
OPEN = frozenset({"everyone", "all", "*"})  # audience values that restrict nothing


def make_profile(analyze, title: str, headings: list[str], body: str) -> str:
    """The JSON stored with a document at ingest: term frequencies per field, body length."""
    body_terms = Counter(analyze(body))
    return json.dumps({
        "title": dict(Counter(analyze(title))),
        "headings": dict(Counter(analyze(" ".join(headings)))),
        "body": dict(body_terms.most_common(PROFILE_TERMS)),
        "len": {"title": len(analyze(title)), "headings": len(analyze(" ".join(headings))),
                "body": sum(body_terms.values())},
    }, separators=(",", ":"))


@dataclass
class Ranked:
    doc: int  # position in Profiles.ids
    score: float
    lexical: float
    topical: float


class Profiles:
    """Inverted postings over document profiles; scores a query in well under a millisecond.

    Postings live in flat arrays (CSR: one slice of `docs`/`scores` per term), 12 bytes an
    entry, so the reference corpus (1.1 million entries) takes ~15 MB instead of the ~300 MB
    that Python dicts of floats would hold on to.
    """

    def __init__(self, rows: Iterable[dict]):
        """rows: stored fields of every document (id, profile, topic_weights), streamed."""
        self.ids: list[str] = []
        keys: list[tuple[str, str]] = []  # (source, path key) of each document
        inlinks: Counter = Counter()
        self.meta: list[dict] = []  # the stored fields callers show, without the profile
        term_ids: dict[str, int] = {}
        topic_ids: dict[str, int] = {}
        raw = {name: (array("i"), array("i"), array("f")) for name in FIELD_WEIGHTS}
        lengths = {name: array("f") for name in FIELD_WEIGHTS}
        tpost = (array("i"), array("i"), array("f"))
        for i, row in enumerate(rows):
            profile = json.loads(row.get("profile") or "{}")
            self.ids.append(row["id"])
            self.meta.append({k: v for k, v in row.items() if k not in UNSHOWN})
            source = row.get("source", "")
            keys.append((source, path_key(row["id"].split(":", 1)[-1])))
            inlinks.update((source, k) for k in row.get("links") or ())
            for name, (terms, docs, tfs) in raw.items():
                lengths[name].append(profile.get("len", {}).get(name, 0))
                for term, tf in profile.get(name, {}).items():
                    terms.append(term_ids.setdefault(term, len(term_ids)))
                    docs.append(i)
                    tfs.append(tf)
            for topic, weight in json.loads(row.get("topic_weights") or "{}").items():
                tpost[0].append(topic_ids.setdefault(topic, len(topic_ids)))
                tpost[1].append(i)
                tpost[2].append(weight)
        self.n = len(self.ids)
        self.review_by = np.array([_epoch(m.get("review_by")) for m in self.meta], dtype=np.float64)
        self.indexed = np.array([_epoch(m.get("indexed")) for m in self.meta], dtype=np.float64)
        restricted = [restriction(m.get("audience")) for m in self.meta]
        self.restricted = np.array([bool(r) for r in restricted], dtype=bool)
        members: dict[str, list[int]] = {}
        for i, groups in enumerate(restricted):
            for group in groups:
                members.setdefault(group, []).append(i)
        self.members = {g: np.array(ix, dtype=np.int32) for g, ix in members.items()}
        # pages of the same library linking here, saturating: 10 in-links -> 0.63, 30 -> 0.95
        self.authority = np.array([1 - math.exp(-inlinks[k] / AUTHORITY_SCALE) for k in keys],
                                  dtype=np.float32)
        # BM25 per field, summed with the field weights: one score per (term, doc)
        all_terms, all_docs, all_scores = [], [], []
        for name, (terms, docs, tfs) in raw.items():
            t = np.frombuffer(terms, dtype=np.int32)
            d = np.frombuffer(docs, dtype=np.int32)
            tf = np.frombuffer(tfs, dtype=np.float32)
            lens = np.frombuffer(lengths[name], dtype=np.float32)
            avg = max(float(lens.mean()) if self.n else 1.0, 1.0)
            norm = K1 * (1 - B + B * lens[d] / avg)
            all_terms.append(t)
            all_docs.append(d)
            all_scores.append(FIELD_WEIGHTS[name] * tf * (K1 + 1) / (tf + norm))
        # one entry per (term, doc): fields summed, so that df counts documents, not fields
        pairs = np.concatenate(all_terms).astype(np.int64) * max(self.n, 1) \
            + np.concatenate(all_docs)
        unique, inverse = np.unique(pairs, return_inverse=True)
        scores = np.bincount(inverse, weights=np.concatenate(all_scores)).astype(np.float32)
        self.terms = _Postings(term_ids, (unique // max(self.n, 1)).astype(np.int32),
                               (unique % max(self.n, 1)).astype(np.int32), scores)
        self.topics = _Postings(topic_ids, *(np.frombuffer(a, dtype=dt) for a, dt in
                                             zip(tpost, (np.int32, np.int32, np.float32),
                                                 strict=True)))

    def stale(self, max_age_days: int) -> np.ndarray:
        """Past their review-by date, or unchanged in the library for max_age_days."""
        now = time.time()
        with np.errstate(invalid="ignore"):  # NaN (no date) compares False
            return (self.review_by < now) | (self.indexed < now - max_age_days * 86400)

    def idf(self, term: str) -> float:
        df = self.terms.df(term)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def rank(self, words: list[tuple[str, float]], topics: list[tuple[str, float]],
             topic_share: float, limit: int, exclude: set[int] = frozenset(),
             authority_share: float = 0.0, groups: set[str] | None = None,
             stale_factor: float = 1.0, stale_days: int = 365) -> list[Ranked]:
        """BM25F over the words plus topic agreement, both scaled to 0..1, plus in-link
        authority for documents that match at all; best first."""
        lexical = np.zeros(self.n, dtype=np.float32)
        for term, weight in words:
            docs, scores = self.terms.get(term)
            if len(docs):
                np.add.at(lexical, docs, weight * self.idf(term) * scores)
        topical = np.zeros(self.n, dtype=np.float32)
        total = sum(w ** AGREE_POWER for _, w in topics) or 1.0
        for topic, weight in topics:
            docs, scores = self.topics.get(topic)
            if len(docs):
                np.add.at(topical, docs, (weight ** AGREE_POWER / total) * scores)
        top = float(lexical.max()) if self.n else 0.0
        combined = (lexical / top if top > 0 else lexical) + topic_share * topical
        if authority_share and self.n:
            combined += np.where(combined > 0, authority_share * self.authority, 0)
        if stale_factor != 1.0 and self.n:
            combined[self.stale(stale_days)] *= stale_factor
        for i in exclude:
            combined[i] = 0.0
        if groups is not None:  # content restricted to groups the person is not in never shows
            hidden = self.restricted.copy()
            for group in groups:
                if group in self.members:
                    hidden[self.members[group]] = False
            combined[hidden] = 0.0
        order = np.argsort(-combined)[:limit]
        return [Ranked(int(i), float(combined[i]), float(lexical[i] / top if top else 0),
                       float(topical[i])) for i in order if combined[i] > 0]


def _epoch(value) -> float:
    """A stored naive-UTC datetime as seconds since the epoch; NaN when there is none."""
    if value is None:
        return math.nan
    return value.replace(tzinfo=UTC).timestamp()


def restriction(audience) -> frozenset[str]:
    """The groups a document is restricted to; empty when it is for everyone."""
    if isinstance(audience, str):
        audience = audience.split(",")
    groups = frozenset(a.strip().lower() for a in audience or [] if a and a.strip())
    return frozenset() if groups & OPEN else groups


class _Postings:
    """key -> (doc indexes, scores), stored as one sorted array with offsets per key."""

    def __init__(self, keys: dict[str, int], key_ids, docs, scores):
        order = np.argsort(key_ids, kind="stable")
        self.keys = keys
        self.docs = np.ascontiguousarray(docs[order])
        self.scores = np.ascontiguousarray(scores[order])
        self.offsets = np.searchsorted(key_ids[order], np.arange(len(keys) + 1))
        self._empty = (self.docs[:0], self.scores[:0])

    def get(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        k = self.keys.get(key)
        if k is None:
            return self._empty
        lo, hi = self.offsets[k], self.offsets[k + 1]
        return self.docs[lo:hi], self.scores[lo:hi]

    def df(self, key: str) -> int:
        k = self.keys.get(key)
        return 0 if k is None else int(self.offsets[k + 1] - self.offsets[k])
