"""Document profiles: the words and topics of every document, in memory, for fast ranking.

Whoosh stores the library and answers full-text search, but an OR query over the body of 7,500
documents takes 100-300 ms here (its matchers are pure Python). Suggestions must come back in
about the time of one spaCy pass (~10 ms), so the hot path ranks from these profiles instead:
term and topic postings as numpy arrays, built once from the index's stored fields (about 2 s
for the reference corpus) and rebuilt whenever the index changes.
"""

import json
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

# BM25 constants. B (length normalisation) is 0.3, not the usual 0.75: the pages people need are
# often long hub pages ("Leave Types", "Procurement"), and full normalisation buries them under
# short notes that repeat a word (dev judgments: nDCG@5 0.49 at 0.3 against 0.46 at 0.75).
K1, B = 1.2, 0.3
FIELD_WEIGHTS = {"title": 3.0, "headings": 1.5, "body": 1.0}
PROFILE_TERMS = 150  # body terms kept per document, most frequent first
# Topic agreement is a mean over the page's topics weighted by weight**2, so the page's main
# topic counts most and a passing mention ("via Finance") hardly at all.
AGREE_POWER = 2


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
    """Inverted postings over document profiles; scores a query in well under a millisecond."""

    def __init__(self, rows: list[dict]):
        """rows: stored fields of every document (id, profile, topic_weights)."""
        self.ids = [r["id"] for r in rows]
        self.n = len(rows)
        postings: dict[str, dict[int, float]] = {}
        topics: dict[str, dict[int, float]] = {}
        profiles = [json.loads(r.get("profile") or "{}") for r in rows]
        for fname, fweight in FIELD_WEIGHTS.items():
            lengths = [p.get("len", {}).get(fname, 0) for p in profiles]
            avg = max(sum(lengths) / max(self.n, 1), 1.0)
            for i, p in enumerate(profiles):
                norm = K1 * (1 - B + B * lengths[i] / avg)
                for term, tf in p.get(fname, {}).items():
                    slot = postings.setdefault(term, {})
                    slot[i] = slot.get(i, 0.0) + fweight * tf * (K1 + 1) / (tf + norm)
        for i, r in enumerate(rows):
            for topic, weight in json.loads(r.get("topic_weights") or "{}").items():
                topics.setdefault(topic, {})[i] = weight
        self.terms = {t: _arrays(d) for t, d in postings.items()}
        self.topics = {t: _arrays(d) for t, d in topics.items()}
        # document frequency over any field, for idf
        self.df = {t: len(d) for t, d in postings.items()}
        self._titles = [set(p.get("title", {})) for p in profiles]

    def in_title(self, doc: int, term: str) -> bool:
        return term in self._titles[doc]

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def rank(self, words: list[tuple[str, float]], topics: list[tuple[str, float]],
             topic_share: float, limit: int, exclude: set[int] = frozenset()) -> list[Ranked]:
        """BM25F over the words plus topic agreement, both scaled to 0..1, best first."""
        lexical = np.zeros(self.n, dtype=np.float32)
        for term, weight in words:
            if term in self.terms:
                docs, scores = self.terms[term]
                np.add.at(lexical, docs, weight * self.idf(term) * scores)
        topical = np.zeros(self.n, dtype=np.float32)
        total = sum(w ** AGREE_POWER for _, w in topics) or 1.0
        for topic, weight in topics:
            if topic in self.topics:
                docs, scores = self.topics[topic]
                np.add.at(topical, docs, (weight ** AGREE_POWER / total) * scores)
        top = float(lexical.max()) if self.n else 0.0
        combined = (lexical / top if top > 0 else lexical) + topic_share * topical
        for i in exclude:
            combined[i] = 0.0
        order = np.argsort(-combined)[:limit]
        return [Ranked(int(i), float(combined[i]), float(lexical[i] / top if top else 0),
                       float(topical[i])) for i in order if combined[i] > 0]


def _arrays(postings: dict[int, float]) -> tuple[np.ndarray, np.ndarray]:
    return (np.fromiter(postings.keys(), dtype=np.int32, count=len(postings)),
            np.fromiter(postings.values(), dtype=np.float32, count=len(postings)))
