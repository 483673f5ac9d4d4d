"""ContentIndex: the small interface the rest of jitlearn uses (add, update, delete, search, stats).

Everything Whoosh-specific stays behind it, so a faster backend can replace it later.
"""

import functools
import json
import math
import os
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import scoring
from whoosh.index import LockError
from whoosh.query import And, Every, Or, Term

from .documents import Document
from .hits import SearchHit, SearchRequest, restriction, stale_item, to_hit, visible
from .latest import Latest
from .profiles import Candidates, Profiles
from .schema import make_schema
from .tags import apply_overrides, restore
from .writer import IndexWriter, current

NAME = "content"
# Whoosh's writer buffers this much in memory before it flushes a segment (MB); 256 keeps the
# corpus (63 MB of text) in few segments without going near the 500 MB server budget.
WRITER_LIMIT_MB = 256
WORDS_KEPT = 50_000  # words whose index terms are remembered (a few MB)


class IndexBusy(RuntimeError):
    """Another writer (a long sync) holds the index; try again when it is done."""


class ContentIndex:
    """The content index in one directory. One writer process; many readers."""

    def __init__(self, path: str | os.PathLike, read_only: bool = False):
        """read_only: a snapshot another machine published (index/snapshots.py): never written."""
        self.path = Path(path)
        self.read_only = read_only
        # the tagger's proposals under this confidence are not applied, only proposed (tags.py)
        self.tag_floor = 0.0
        self.path.mkdir(parents=True, exist_ok=True)
        if whoosh_index.exists_in(self.path, indexname=NAME):
            self.ix = whoosh_index.open_dir(self.path, indexname=NAME)
            if not read_only:
                self._add_new_fields()
        else:
            self.ix = whoosh_index.create_in(self.path, make_schema(), indexname=NAME)
        self._local = threading.local()
        self._analyzer = self.ix.schema["body"].analyzer
        self.terms = functools.lru_cache(maxsize=WORDS_KEPT)(self._terms)
        self.latest = Latest(self.ix, self.analyze)

    def _add_new_fields(self) -> None:
        """An index made by an older version gains the schema's new fields (empty until synced)."""
        missing = [(n, f) for n, f in make_schema().items() if n not in self.ix.schema]
        if missing:
            w = self.ix.writer(timeout=60)
            for name, fieldtype in missing:
                w.add_field(name, fieldtype)
            w.commit()
            self.ix = whoosh_index.open_dir(self.path, indexname=NAME)

    # --- reading -------------------------------------------------------------------------
    @contextmanager
    def searcher(self) -> Iterator:
        """A searcher for this thread, reopened when another process has committed.

        Not Searcher.refresh(): whoosh-reloaded 2.7.5 returns duplicate hits and stale deletions
        after another process's commit with merges. Close and open a new one instead.
        """
        s = getattr(self._local, "searcher", None)
        if s is None or not s.up_to_date():
            if s is not None:
                s.close()
            s = self.ix.searcher(weighting=scoring.BM25F())
            self._local.searcher = s
        yield s

    def stats(self) -> dict:
        """Documents in all, and per source (from the profiles: no stored text is read)."""
        profiles = self.profiles()
        sources: dict[str, int] = {}
        for meta in profiles.meta:
            sources[meta["source"]] = sources.get(meta["source"], 0) + 1
        return {"documents": profiles.n, "sources": sources}

    def doc_count(self) -> int:
        """Documents in the newest generation (from the profiles: no searcher held open)."""
        return self.profiles().n

    def hashes(self, source: str) -> dict[str, str]:
        """id -> content hash of every document of one source (for incremental sync).

        A document indexed before texts were kept, or with an older profile, answers "": the
        next sync re-indexes it.
        """
        with self.searcher() as s:
            return {f["id"]: f.get("hash", "") if f.get("text") and current(f.get("profile"))
                    else "" for f in s.documents(source=source)}

    def browse(self, words: str = "", type: str = "", topic: str = "", source: str = "",
               audience: str = "", stale_days: int | None = None, mandatory: bool = False,
               limit: int = 50, offset: int = 0, owner: str = "", stale_only: bool = False
               ) -> tuple[int, list[SearchHit], set[str]]:
        """The library filtered as L&D filter it: (how many match, one page of them, the ids
        on the page that are stale at stale_days). With words, the best matches first (the
        search's own score, all words present); without, by title.

        audience names a group the document is restricted to; owner who keeps it."""
        profiles = self.profiles()
        rank = self._matching(profiles, words, source, type, topic) if words.strip() else None
        stale = profiles.stale(stale_days) if stale_days is not None else None
        rows = []
        for i, meta in enumerate(profiles.meta):
            if rank is not None and i not in rank:
                continue
            if owner and (meta.get("owner") or "").lower() != owner.lower():
                continue
            if (type and meta.get("type") != type) or (source and meta.get("source") != source):
                continue
            if topic and topic not in (meta.get("topics") or "").split(","):
                continue
            if audience and audience.lower() not in restriction(meta.get("audience")):
                continue
            if (mandatory and not meta.get("mandatory")) or \
                    (stale_only and stale is not None and not stale[i]):
                continue
            rows.append((i, meta, bool(stale is not None and stale[i])))
        rows.sort(key=(lambda r: rank[r[0]]) if rank is not None else
                  (lambda r: ((r[1].get("title") or "").lower(), r[1]["id"])))
        shown = rows[offset:offset + limit]
        return len(rows), [to_hit(m, 0.0, []) for _, m, _ in shown], {m["id"] for _, m, old
                                                                      in shown if old}

    def _matching(self, profiles: Profiles, words: str, source: str, type: str,
                  topic: str) -> dict[int, int]:
        """Position in `profiles` -> place among select()'s matches, best first. Hits map by
        their place in the index when it is the profiles' generation: reading each one's
        stored fields (whole text and profile) for its id was 90 of a search's 240 ms."""
        generation, positions = profiles.memo.get("positions", (None, None))
        if (query := self._selection(words, source, type, topic)) is None:
            return {}
        with self.searcher() as s:
            results = s.search(query, limit=s.doc_count() or 1)
            if positions is not None and s.reader().generation() == generation:
                return {positions[hit.docnum]: n for n, hit in enumerate(results)}
            at = {doc_id: i for i, doc_id in enumerate(profiles.ids)}
            return {at[r["id"]]: n for n, r in enumerate(results) if r["id"] in at}

    def mandatory(self, groups: set[str] | None = None) -> list[SearchHit]:
        """Every mandatory document someone in these groups may see."""
        profiles = self.profiles()
        return [to_hit(meta, 0.0, []) for meta in profiles.meta
                if meta.get("mandatory") and visible(meta.get("audience"), groups)]

    def versioned(self, source: str, types: Iterable[str]) -> list[tuple[str, str, str]]:
        """(id, content hash, title) of every document of these types from one source."""
        types = set(types)
        with self.searcher() as s:
            return [(f["id"], f.get("hash", ""), f.get("title", ""))
                    for f in s.documents(source=source) if f.get("type") in types]

    def get(self, doc_id: str, groups: set[str] | None = None) -> SearchHit | None:
        """One document by id; None if it does not exist or groups may not see it."""
        with self.searcher() as s:
            fields = s.document(id=doc_id)
        if not fields or not visible(fields.get("audience"), groups):
            return None
        return to_hit(fields, 0.0, [])

    def document(self, doc_id: str) -> Document | None:
        """The whole document as indexed, with the source's values of the editable fields.

        None if there is no such document, or it was indexed before texts were kept (a sync of
        its source brings it up to date).
        """
        with self.searcher() as s:
            f = s.document(id=doc_id)
        if not f or not f.get("text"):
            return None
        text = json.loads(zlib.decompress(f["text"]))
        doc = Document(id=f["id"], source=f.get("source", ""), title=f.get("title", ""),
                       body=text["body"], summary=f.get("summary", ""),
                       headings=text["headings"], url=f.get("url", ""),
                       provider=f.get("provider", ""), updated=f.get("updated"),
                       hash=f.get("hash", ""), profile=f.get("profile", ""),
                       links=list(f.get("links") or []), indexed=f.get("indexed"))
        restore(doc, text["original"])
        return doc

    def analyze(self, text: str) -> list[str]:
        """Index terms (stemmed, stop words removed) of a piece of text."""
        return [t.text for t in self._analyzer(text)]

    def _terms(self, word: str) -> tuple[str, ...]:
        """analyze() of one word (self.terms remembers them: every page repeats words)."""
        return tuple(self.analyze(word))

    def rarity(self, words: list[str]) -> float:
        """0..1: mean inverse document frequency of the words, 1 for never-seen words."""
        profiles = self.profiles()
        terms = [t for w in words for t in self.terms(w)]
        if not terms or not profiles.n:
            return 0.0
        top = math.log(1 + (profiles.n + 0.5) / 0.5)
        return min(1.0, sum(profiles.idf(t) for t in terms) / len(terms) / top)

    def idf(self, term: str) -> float:
        """Inverse document frequency of an index term (already analyzed)."""
        return self.profiles().idf(term)

    def search(self, request: SearchRequest) -> list[SearchHit]:
        """Documents matching any weighted word or topic, best first (BM25F)."""
        clauses = []
        for word, weight in request.words:
            for term in self.analyze(word):
                for fname, fboost in request.fields.items():
                    if weight * fboost > 0:  # Whoosh divides by the boost
                        clauses.append(Term(fname, term, boost=weight * fboost))
        for topic, weight in request.topics:
            if weight > 0:
                clauses.append(Term("subjects", topic, boost=weight))
        if not clauses:
            return []
        with self.searcher() as s:
            results = s.search(Or(clauses), limit=request.limit + len(request.exclude),
                               terms=True)
            hits = []
            for r in results:
                if r["id"] in request.exclude or not visible(r.get("audience"), request.groups):
                    continue
                matched = sorted({t.decode() if isinstance(t, bytes) else str(t)
                                  for f, t in r.matched_terms() if f != "subjects"})
                hits.append(to_hit(r.fields(), r.score, matched))
            return hits[: request.limit]

    def select(self, words: str = "", source: str = "", type: str = "", topic: str = "",
               limit: int = 1000) -> tuple[int, list[str]]:
        """Ids of documents with every word (in title, headings, summary, body or path) that
        match every filter given; with the total number matched (which may exceed limit)."""
        if (query := self._selection(words, source, type, topic)) is None:
            return 0, []
        with self.searcher() as s:
            results = s.search(query, limit=limit)
            return len(results), [r["id"] for r in results]

    def _selection(self, words: str, source: str, type: str, topic: str):
        """select()'s query; None for only stop words (matching everything would surprise)."""
        clauses = []
        for term in self.analyze(words):
            clauses.append(Or([Term(f, term) for f in ("title", "headings", "summary", "body",
                                                          "path")]))
        for fname, value in (("source", source), ("type", type), ("topics", topic)):
            if value:
                clauses.append(Term(fname, value))
        if words.strip() and not any(isinstance(c, Or) for c in clauses):
            return None
        return And(clauses) if clauses else Every()

    def stale(self, max_age_days: int, owner: str | None = None) -> list[dict]:
        """Documents past their review-by date or unchanged for max_age_days, with the reason."""
        profiles = self.profiles()
        return [stale_item(profiles.meta[i]) for i in np.flatnonzero(profiles.stale(max_age_days))
                if not owner or (profiles.meta[i].get("owner") or "") == owner]

    def profiles(self) -> Profiles:
        """The in-memory profiles of the newest index generation (index/latest.py)."""
        return self.latest.profiles()

    def rank(self, request: SearchRequest, topic_share: float = 1.0,
             authority_share: float = 0.0, stale_factor: float = 1.0,
             stale_days: int = 365) -> list[SearchHit]:
        """Word match (BM25F), topic agreement and in-links (profiles): search by a few words.
        request.groups: the person's audience groups; None ranks everything (evaluation)."""
        profiles = self.profiles()
        words: dict[str, float] = {}
        for word, weight in request.words:
            for term in self.analyze(word):
                words[term] = max(words.get(term, 0.0), weight)
        exclude = {i for i, doc_id in enumerate(profiles.ids) if doc_id in request.exclude} \
            if request.exclude else set()
        ranked = profiles.rank(list(words.items()), request.topics, topic_share,
                               request.limit, exclude, authority_share, request.groups,
                               stale_factor, stale_days)
        hits = []
        for r in ranked:
            hit = to_hit(profiles.meta[r.doc], r.score, [])
            hit.lexical, hit.topical = r.lexical, r.topical
            hits.append(hit)
        return hits

    def candidates(self, request: SearchRequest, pool: int, stale_days: int = 365,
                   profiles: Profiles | None = None) -> tuple[Candidates, list[SearchHit]]:
        """The ranking model's first stage: the best `pool` documents of the whole library
        with their features (profiles.FEATURES), and each as a hit: the generation's own,
        shared by every request, so read, never changed. The words here are index terms
        already (analyze()): a stem stemmed again is another word. profiles: the generation
        the caller already reads (Candidates.docs are positions in it)."""
        profiles = profiles or self.profiles()
        found = profiles.candidates(request.words, request.topics, pool, stale_days,
                                    request.parts)
        made = profiles.memo.setdefault("hits", {})  # a hit per document, made once
        hits = []
        for doc in found.docs:
            if doc not in made:
                made[doc] = to_hit(profiles.meta[doc], 0.0, [])
            hits.append(made[doc])
        return found, hits

    # --- writing -------------------------------------------------------------------------
    @contextmanager
    def locked(self, timeout: float = 10.0) -> Iterator[None]:
        """Hold the write lock without writing: no commit lands while the files are read."""
        lock = self.ix.lock("WRITELOCK")  # the lock Whoosh's writers take
        deadline = time.monotonic() + timeout
        while not lock.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise IndexBusy(f"the index is being written by another process (a sync?) for "
                                f"more than {timeout:g} s")
            time.sleep(0.05)
        try:
            yield
        finally:
            lock.release()

    @contextmanager
    def writer(self, timeout: float = 10.0):
        """One writer at a time; waits up to timeout seconds for another to finish."""
        if self.read_only:
            raise IndexBusy("this server follows the index another machine publishes: change "
                            "content there (the writer), and it arrives here with the next "
                            "snapshot")
        try:
            w = self.ix.writer(limitmb=WRITER_LIMIT_MB, timeout=timeout)
        except LockError as exc:
            raise IndexBusy(f"the index is being written by another process (a sync?) for "
                            f"more than {timeout:g} s") from exc
        try:
            yield IndexWriter(w)
        except BaseException:
            w.cancel()
            raise
        try:
            w.commit()
            self.latest.wrote()
        except BaseException:
            # a commit that fails half-way must not keep the lock: the last committed
            # generation is still what readers see, and the next writer can go on
            lock = getattr(w, "writelock", None)
            try:
                w.cancel()
            finally:
                if lock is not None and getattr(lock, "fd", None) is not None:
                    lock.release()  # cancel() could not get as far as letting it go
            raise

    def add(self, docs: Iterable[Document]) -> int:
        n = 0
        with self.writer() as w:
            for doc in docs:
                w.update(doc)
                n += 1
        return n

    def delete(self, ids: Iterable[str]) -> int:
        with self.writer() as w:
            return sum(w.delete(i) for i in ids)

    def retag(self, overrides: dict[str, dict | None], timeout: float = 10.0) -> list[str]:
        """Re-index documents under new overrides (None: none); returns the ids re-indexed.

        Only the editable fields change: text, hash, links and the indexed time stay, so an
        edit is neither a new policy version nor a review.
        """
        done = []
        with self.writer(timeout) as w:
            for doc_id, override in overrides.items():
                doc = self.document(doc_id)
                if doc is None:
                    continue
                apply_overrides(doc, override, self.tag_floor)
                w.update(doc)
                done.append(doc_id)
        return done
