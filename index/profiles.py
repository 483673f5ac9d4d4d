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
from dataclasses import dataclass, replace
from datetime import UTC

import numpy as np

from .hits import restriction
from .links import depth, path_key, path_words
from .postings import Postings
from .schema import HEADINGS_BOOST, TITLE_BOOST
from .semantic import Space

# BM25 constants, the usual ones: the ranking model sees a document's length as a feature of its
# own ("length"), so length normalisation is not tuned here.
K1, B = 1.2, 0.75
FIELD_WEIGHTS = {"title": TITLE_BOOST, "headings": HEADINGS_BOOST, "body": 1.0}  # as Whoosh's
FIELDS = ("title", "headings", "body", "path")
# Topic agreement is a mean over the page's topics weighted by weight**2, so the page's main
# topic counts most and a passing mention ("via Finance") hardly at all.
AGREE_POWER = 2
AUTHORITY_SCALE = 10.0
UNSHOWN = ("profile", "links", "text", "proposed")  # stored fields ranking never shows


@dataclass
class Ranked:
    doc: int  # position in Profiles.ids
    score: float
    lexical: float
    topical: float


# What the ranking model sees of each candidate (Candidates.matrix columns), all computed from the
# library itself: how much of the page's word weight each field matches (BM25, per field, over
# the whole document), how much of the document's title and path the page says, topic agreement
# (0 without a taxonomy), in-links, how deep in the library's folders it sits, staleness and
# shape.
PARTS = ("subject", "outline", "text", "concepts")  # parts of a page, matched separately
FEATURES = ("lexical", "match", "coverage", "title_cover", "path_cover", "topical", "authority",
            "stale", "length", "title_words", "semantic", "subject_semantic",
            "outline_semantic", "depth") \
    + tuple(f"{part}_{name}" for part in PARTS for name in FIELDS)
# What the abstention model sees of the page as a whole (Candidates.page).
PAGE_FEATURES = ("rarity", "unknown", "best_match", "best_coverage", "best_title_cover",
                 "words", "best_semantic")
SEMANTIC_POOL = 20  # candidates found by meaning alone, beside the first stage's


@dataclass
class Candidates:
    """The best `pool` documents for a page by a fixed first stage, with every feature."""

    docs: np.ndarray  # positions in Profiles.ids, first stage order
    matrix: np.ndarray  # len(docs) x len(FEATURES)
    page: np.ndarray  # len(PAGE_FEATURES)
    words: np.ndarray | None = None  # the term ids of the page's query (-1: the library's none)
    has: np.ndarray | None = None  # len(words) x len(docs): has the document the word, anywhere

    def only(self, keep: list[int]) -> "Candidates":
        """These candidates alone, in this order."""
        return replace(self, docs=self.docs[keep], matrix=self.matrix[keep],
                       has=None if self.has is None else self.has[:, keep])


class Profiles:
    """Inverted postings over document profiles; scores a query in a few milliseconds.

    Postings live in flat arrays (CSR: one slice of `docs`/`scores` per term), 8 bytes an
    entry, one set per field, so whole documents fit (the reference corpus's 3 million entries
    take ~25 MB instead of the gigabyte that Python dicts of floats would hold on to).
    """

    def __init__(self, rows: Iterable[dict], analyze=None):
        """rows: stored fields of every document (id, profile, topic_weights), streamed.
        analyze: the index's analyzer, for the words of each document's path."""
        self.ids: list[str] = []
        keys: list[tuple[str, str]] = []  # (source, path key) of each document
        depths = array("f")  # how deep in its library's folders each document sits
        inlinks: Counter = Counter()
        self.meta: list[dict] = []  # the stored fields callers show, without the profile
        self.memo: dict = {}  # what callers derive from this generation and keep with it
        term_ids: dict[str, int] = {}
        topic_ids: dict[str, int] = {}
        raw = {name: (array("i"), array("i"), array("f")) for name in FIELDS}
        lengths = {name: array("f") for name in FIELDS}
        tpost = (array("i"), array("i"), array("f"))
        for i, row in enumerate(rows):
            profile = json.loads(row.get("profile") or "{}")
            self.ids.append(row["id"])
            self.meta.append({k: v for k, v in row.items() if k not in UNSHOWN})
            source = row.get("source", "")
            keys.append((source, path_key(row["id"].split(":", 1)[-1])))
            depths.append(math.log1p(depth(row["id"].split(":", 1)[-1])))
            inlinks.update((source, k) for k in row.get("links") or ())
            path = Counter(analyze(path_words(row["id"]))) if analyze else Counter()
            profile["path"], profile.setdefault("len", {})["path"] = path, path.total()
            for name, (terms, docs, tfs) in raw.items():
                lengths[name].append(profile.get("len", {}).get(name, 0))
                for term, tf in profile.get(name, {}).items():
                    terms.append(term_ids.setdefault(term, len(term_ids)))
                    docs.append(i)
                    tfs.append(tf)
            weights = json.loads(row.get("topic_weights") or "{}")
            self.meta[-1]["_topics"] = weights  # parsed once: hits are made from meta often
            for topic, weight in weights.items():
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
        self.depth = np.array(depths, dtype=np.float32)
        self.term_ids = term_ids
        # BM25's term-frequency part per field; idf and weights are applied per query
        self.fields: dict[str, Postings] = {}
        self.length = {}
        for name, (terms, docs, tfs) in raw.items():
            t = np.frombuffer(terms, dtype=np.int32)
            d = np.frombuffer(docs, dtype=np.int32)
            tf = np.frombuffer(tfs, dtype=np.float32)
            lens = np.frombuffer(lengths[name], dtype=np.float32)
            self.length[name] = lens
            avg = max(float(lens.mean()) if self.n else 1.0, 1.0)
            norm = K1 * (1 - B + B * lens[d] / avg)
            self.fields[name] = Postings(len(term_ids), t, d, tf * (K1 + 1) / (tf + norm))
        # document frequency over all fields: a word in a title only still names the document
        seen = np.zeros(len(term_ids), dtype=np.int64)
        if self.n:
            pairs = np.unique(np.concatenate([
                np.frombuffer(raw[name][0], dtype=np.int32).astype(np.int64) * self.n
                + np.frombuffer(raw[name][1], dtype=np.int32) for name in FIELDS]))
            seen = np.bincount((pairs // self.n).astype(np.int64), minlength=len(term_ids))
        self.df = seen
        # how often each term is used in all (collection frequency), and all words
        cf = np.zeros(len(term_ids), dtype=np.float64)
        for name in ("title", "headings", "body"):
            np.add.at(cf, np.frombuffer(raw[name][0], dtype=np.int32),
                      np.frombuffer(raw[name][2], dtype=np.float32))
        self.uses, self.words = cf, float(cf.sum())
        self.max_idf = math.log(1 + (self.n + 0.5) / 0.5) if self.n else 1.0
        idf = np.log(1 + (self.n - self.df + 0.5) / (self.df + 0.5))
        # how much a title says: the rarity of its distinct words, so "Purpose" is little
        self.title_mass = np.zeros(self.n, dtype=np.float32)
        self.path_mass = np.zeros(self.n, dtype=np.float32)
        for name, mass in (("title", self.title_mass), ("path", self.path_mass)):
            post = self.fields[name]
            np.add.at(mass, post.docs, idf[post.keys_of].astype(np.float32))
        self.space = Space(self.n, len(term_ids), *(np.concatenate(x) for x in zip(*(
            (post.keys_of, post.docs, FIELD_WEIGHTS.get(name, 1.0) * post.scores
             * idf[post.keys_of]) for name, post in self.fields.items()), strict=True)),
            self.df)
        for post in self.fields.values():
            post.keys_of = None  # only needed above; the body's alone is 12 MB on the corpus
        self.title_words = np.bincount(self.fields["title"].docs, minlength=self.n)
        self.topics = Postings(len(topic_ids), *(np.frombuffer(a, dtype=dt) for a, dt in
                                                  zip(tpost, (np.int32, np.int32, np.float32),
                                                      strict=True)))
        self.topic_ids = topic_ids

    def stale(self, max_age_days: int) -> np.ndarray:
        """Past their review-by date, or unchanged in the library for max_age_days."""
        now = time.time()
        with np.errstate(invalid="ignore"):  # NaN (no date) compares False
            return (self.review_by < now) | (self.indexed < now - max_age_days * 86400)

    def idf(self, term: str) -> float:
        k = self.term_ids.get(term)
        df = 0 if k is None else int(self.df[k])
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def shared(self, found: Candidates, i: int, terms: Iterable[str]) -> set[str]:
        """Which of these terms candidate i has, in any field: the page's query words as the
        first stage found them, the others looked up."""
        doc, out = int(found.docs[i]), set()
        asked = {} if found.has is None else dict(zip(found.words.tolist(),
                                                      found.has[:, i].tolist(), strict=True))
        for term in terms:
            k = self.term_ids.get(term)
            if k is None:
                continue
            if k in asked:
                if asked[k]:
                    out.add(term)
                continue
            for post in self.fields.values():
                docs = post.get(k)[0]
                at = np.searchsorted(docs, doc)  # a term's documents are in ascending order
                if at < len(docs) and docs[at] == doc:
                    out.add(term)
                    break
        return out

    def uses_of(self, term: str) -> float:
        """How many times the library uses the term (title, headings and body)."""
        k = self.term_ids.get(term)
        return 0.0 if k is None else float(self.uses[k])

    def _query(self, words: list[tuple[str, float]]):
        """(term id or None, weight, idf) of each query word."""
        return [(self.term_ids.get(t), w, self.idf(t)) for t, w in words if w > 0]

    def _gather(self, query) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per field, the postings of all the query's words (Postings.gather)."""
        keys = [k for k, _, _ in query]
        return {name: post.gather(keys) for name, post in self.fields.items()}

    def _lexical(self, query, gathered: dict | None = None) -> dict[str, np.ndarray]:
        """Per field, every document's sum over the query's words of weight x idf x BM25 tf
        part. gathered: _gather(query), when the caller has it already."""
        weights = np.array([w * idf for _, w, idf in query], dtype=np.float32)
        return {name: np.bincount(docs, scores * weights[which], minlength=self.n)
                .astype(np.float32)
                for name, (docs, scores, which) in (gathered or self._gather(query)).items()}

    def _part_lexical(self, part_queries: dict, docs: np.ndarray, query, gathered: dict
                      ) -> dict[str, np.ndarray]:
        """_lexical of each part's query over the candidates, per field, each part's sum over
        its own word mass: the postings the whole page's query gathered already, read once,
        and only a part's words the page's query left out gathered anew."""
        place = {k: i for i, (k, _, _) in enumerate(query) if k is not None}
        extra: list[int] = []
        for part_query in part_queries.values():
            for k, _, _ in part_query:
                if k is not None and k not in place:
                    place[k] = len(query) + len(extra)
                    extra.append(k)
        weights = {}
        for part, part_query in part_queries.items():
            mass = sum(w * idf for _, w, idf in part_query) or 1.0
            vector = np.zeros(len(query) + len(extra), dtype=np.float32)
            for k, w, idf in part_query:
                if k is not None:
                    vector[place[k]] = w * idf / mass
            weights[part] = vector
        slot = np.full(self.n, -1, dtype=np.intp)
        slot[docs] = np.arange(len(docs))
        more = {name: post.gather(extra) for name, post in self.fields.items()}
        out = {}
        for name in FIELDS:
            entries, scores, which = gathered[name]
            if extra:
                entries = np.concatenate([entries, more[name][0]])
                scores = np.concatenate([scores, more[name][1]])
                which = np.concatenate([which, more[name][2] + len(query)])
            at = slot[entries]
            kept = at >= 0
            at, scores, which = at[kept], scores[kept], which[kept]
            for part, vector in weights.items():
                out[f"{part}_{name}"] = np.bincount(at, scores * vector[which],
                                                    minlength=len(docs)).astype(np.float32)
        return out

    def _topical(self, topics: list[tuple[str, float]]) -> np.ndarray:
        topical = np.zeros(self.n, dtype=np.float32)
        total = sum(w ** AGREE_POWER for _, w in topics) or 1.0
        for topic, weight in topics:
            k = self.topic_ids.get(topic)
            if k is not None:
                docs, scores = self.topics.get(k)
                topical[docs] += (weight ** AGREE_POWER / total) * scores
        return topical

    def _hide(self, scores: np.ndarray, exclude, groups) -> None:
        for i in exclude:
            scores[i] = 0.0
        if groups is not None:  # content restricted to groups the person is not in never shows
            hidden = self.restricted.copy()
            for group in groups:
                if group in self.members:
                    hidden[self.members[group]] = False
            scores[hidden] = 0.0

    def rank(self, words: list[tuple[str, float]], topics: list[tuple[str, float]],
             topic_share: float, limit: int, exclude: set[int] = frozenset(),
             authority_share: float = 0.0, groups: set[str] | None = None,
             stale_factor: float = 1.0, stale_days: int = 365) -> list[Ranked]:
        """BM25F over the words plus topic agreement, both scaled to 0..1, plus in-link
        authority for documents that match at all; best first. (Search by a few words: a
        skill's content, the replay's checks. Suggestions use candidates() and the model.)"""
        fields = self._lexical(self._query(words))
        lexical = sum(FIELD_WEIGHTS[name] * fields[name] for name in FIELD_WEIGHTS)
        topical = self._topical(topics)
        top = float(lexical.max()) if self.n else 0.0
        combined = (lexical / top if top > 0 else lexical) + topic_share * topical
        if authority_share and self.n:
            combined += np.where(combined > 0, authority_share * self.authority, 0)
        if stale_factor != 1.0 and self.n:
            combined[self.stale(stale_days)] *= stale_factor
        self._hide(combined, exclude, groups)
        order = np.argsort(-combined)[:limit]
        return [Ranked(int(i), float(combined[i]), float(lexical[i] / top if top else 0),
                       float(topical[i])) for i in order if combined[i] > 0]

    def candidates(self, words: list[tuple[str, float]], topics: list[tuple[str, float]],
                   pool: int, stale_days: int = 365,
                   parts: dict[str, list[tuple[str, float]]] | None = None) -> Candidates:
        """The first stage for the ranking model: every feature of the best `pool` documents
        by word match, title and path coverage and topic agreement (fixed, unweighted sum).
        words: the whole page's; parts: the words of each part of the page (PARTS), whose
        match with each field of a document is a feature of its own. Over the whole library:
        the engine leaves out what a person may not see after the abstainer has looked."""
        query = self._query(words)
        mass = sum(w * idf for _, w, idf in query) or 1.0
        gathered = self._gather(query)
        fields = self._lexical(query, gathered=gathered)
        lexical = sum(FIELD_WEIGHTS[name] * fields[name] for name in FIELD_WEIGHTS)
        weights = np.array([w * idf for _, w, idf in query], dtype=np.float64)
        idfs = np.array([idf for _, _, idf in query], dtype=np.float64)
        # each (word, document) pair once, whichever fields the word is in
        present = np.zeros((len(query), self.n), dtype=bool)
        for docs, _, which in gathered.values():
            present[which, docs] = True
        covered = weights.astype(np.float32) @ present.view(np.uint8)  # half the time of bool
        title_docs, _, title_which = gathered["title"]
        title_hit = np.bincount(title_docs, idfs[title_which], minlength=self.n)
        path_docs, _, path_which = gathered["path"]
        path_hit = np.bincount(path_docs, idfs[path_which], minlength=self.n)
        with np.errstate(invalid="ignore", divide="ignore"):
            title_cover = np.nan_to_num(title_hit / self.title_mass)
            path_cover = np.nan_to_num(path_hit / self.path_mass)
        topical = self._topical(topics)
        top = float(lexical.max()) if self.n else 0.0
        first = (lexical / top if top > 0 else lexical) + covered / mass + title_cover \
            + topical
        semantic = self.space.similarity(query)
        part_queries = {part: self._query((parts or {}).get(part, [])) for part in PARTS}
        docs = np.argsort(-first)[:pool]
        docs = docs[first[docs] > 0]
        near = np.argsort(-semantic)[:SEMANTIC_POOL]
        docs = np.concatenate([docs, near[(semantic[near] > 0) & ~np.isin(near, docs)]])
        stale = self.stale(stale_days)[docs]
        columns = {
            "lexical": lexical[docs] / top if top > 0 else lexical[docs],
            "match": lexical[docs] / mass, "title": fields["title"][docs] / mass,
            "headings": fields["headings"][docs] / mass, "body": fields["body"][docs] / mass,
            "path": fields["path"][docs] / mass, "coverage": covered[docs] / mass,
            "title_cover": title_cover[docs], "path_cover": path_cover[docs],
            "topical": topical[docs], "authority": self.authority[docs],
            "stale": stale.astype(np.float32),
            "length": np.log1p(self.length["body"][docs]) / 10,
            "title_words": np.log1p(self.title_words[docs]),
            "semantic": semantic[docs],
            "subject_semantic": self.space.similarity(part_queries["subject"], docs),
            "outline_semantic": self.space.similarity(part_queries["outline"], docs),
            "depth": self.depth[docs],
        }
        columns.update(self._part_lexical(part_queries, docs, query, gathered))
        matrix = np.stack([np.asarray(columns[f], dtype=np.float32) for f in FEATURES], axis=1) \
            if len(docs) else np.zeros((0, len(FEATURES)), dtype=np.float32)
        known = [(w, idf) for k, w, idf in query if k is not None]
        total = sum(w for _, w, _ in query) or 1.0
        page = {
            "rarity": mass / total / self.max_idf,
            "unknown": 1 - sum(w for w, _ in known) / total if query else 1.0,
            "best_match": float(columns["match"].max()) if len(docs) else 0.0,
            "best_coverage": float(columns["coverage"].max()) if len(docs) else 0.0,
            "best_title_cover": float(title_cover[docs].max()) if len(docs) else 0.0,
            "words": math.log1p(len(query)) / 5,
            "best_semantic": float(semantic[docs].max()) if len(docs) else 0.0,
        }
        return Candidates(docs, matrix, np.array([page[f] for f in PAGE_FEATURES],
                                                 dtype=np.float32),
                          np.array([-1 if k is None else k for k, _, _ in query], dtype=np.int64),
                          present[:, docs])


def _epoch(value) -> float:
    """A stored naive-UTC datetime as seconds since the epoch; NaN when there is none."""
    if value is None:
        return math.nan
    return value.replace(tzinfo=UTC).timestamp()
