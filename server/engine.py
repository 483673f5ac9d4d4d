"""The suggestion engine: context -> topics (nlp) -> candidates (index) -> ranked, explained list.

The service layer between the HTTP views and the nlp/index packages; it imports neither Flask
nor spaCy nor Whoosh, so the API, the CLI and the evaluation all share exactly this path.
"""

import math
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field

from index import ContentIndex, SearchHit, SearchRequest
from nlp import Context, Topic, TopicExtractor
from nlp.context import FIELD_WEIGHTS


@dataclass
class Settings:
    """Ranking knobs, in one place so the bench and the eval see the same numbers."""

    max_words: int = 10  # context words sent to the index, the rarest and most prominent first
    min_concept: float = 0.5  # a taxonomy/rule topic must weigh this much to speak for the page
    topic_share: float = 1.0  # weight of topic agreement against word match in the final score
    keep_ratio: float = 0.45  # drop suggestions scoring under this share of the best one
    candidates: int = 40


@dataclass
class Suggestion:
    id: str
    title: str
    url: str
    type: str
    summary: str
    score: float
    reasons: list[str] = field(default_factory=list)
    mandatory: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Result:
    request_id: str
    topics: list[Topic]
    suggestions: list[Suggestion]
    abstained: str = ""  # why nothing was suggested, for logs and the test bench
    ms: float = 0.0

    def to_dict(self) -> dict:
        return {"request_id": self.request_id,
                "topics": [{"id": t.id, "label": t.label, "weight": t.weight,
                            "evidence": t.evidence} for t in self.topics],
                "suggestions": [s.to_dict() for s in self.suggestions]}


class Engine:
    """Built once per process; safe to call from several threads."""

    def __init__(self, extractor: TopicExtractor, index: ContentIndex,
                 settings: Settings | None = None):
        self.extractor = extractor
        self.index = index
        self.settings = settings or Settings()
        self._nlp_lock = threading.Lock()  # spaCy pipelines are not documented thread-safe
        extractor.set_rarity(index.rarity)

    @property
    def degraded(self) -> bool:
        return self.extractor.info.degraded

    def suggest(self, context: Context, limit: int = 5,
                suppressed: set[tuple[str, str]] | None = None) -> Result:
        started = time.perf_counter()
        with self._nlp_lock:
            topics = self.extractor.extract(context)
        result = Result(request_id=uuid.uuid4().hex, topics=topics, suggestions=[])
        concepts = [t for t in topics if t.kind != "keyphrase"]
        strong = [t for t in concepts if t.weight >= self.settings.min_concept]
        if not strong:
            result.abstained = "no workplace topic in this context"
        else:
            result.suggestions, result.abstained = self._rank(context, concepts, limit,
                                                              suppressed or set())
        result.ms = (time.perf_counter() - started) * 1000
        return result

    def _rank(self, context: Context, concepts: list[Topic], limit: int,
              suppressed: set[tuple[str, str]]) -> tuple[list[Suggestion], str]:
        s = self.settings
        words = self.query_words(context)
        topic_ids = {t.id for t in concepts}
        exclude = {cid for cid, topic in suppressed if topic in topic_ids}
        hits = self.index.search(SearchRequest(
            words=words, topics=[(t.id, t.weight * 3) for t in concepts],
            fields={"title": 1.0, "path": 0.5, "headings": 0.5, "summary": 0.5},
            limit=s.candidates, exclude=exclude))
        if not hits:
            return [], "no content matches these topics"
        top = hits[0].score
        scored = []
        for hit in hits:
            agreement = sum(t.weight * hit.topics.get(t.id, 0) for t in concepts)
            scored.append((hit.score / top + s.topic_share * agreement, agreement, hit))
        scored.sort(key=lambda x: -x[0])
        best = scored[0][0]
        kept = [(sc, ag, h) for sc, ag, h in scored if sc >= s.keep_ratio * best][:limit]
        kept.sort(key=lambda x: (not x[2].mandatory, -x[0]))  # mandatory policies first
        return [self._suggestion(h, sc / best, concepts) for sc, _, h in kept], ""

    def query_words(self, context: Context) -> list[tuple[str, float]]:
        """The context's words worth asking about: prominent (title) and rare (high idf)."""
        seen: dict[str, float] = {}
        for fname, text in context.sections():
            for word in self.index.analyze(text):
                seen[word] = max(seen.get(word, 0.0), FIELD_WEIGHTS[fname])
        n = max(self.index.doc_count(), 1)
        scored = []
        for word, weight in seen.items():
            df = self.index.doc_frequency("body", word) + self.index.doc_frequency("title", word)
            if df:
                scored.append((word, weight * math.log((n + 1) / (df + 1))))
        scored.sort(key=lambda x: -x[1])
        return [(w, round(v, 3)) for w, v in scored[: self.settings.max_words]]

    def _suggestion(self, hit: SearchHit, score: float, concepts: list[Topic]) -> Suggestion:
        reasons = []
        for topic in concepts:
            if hit.topics.get(topic.id, 0) > 0:
                where = ", ".join(f"“{e}”" for e in topic.evidence[:2])
                reasons.append(f"About {topic.label}, which your page mentions ({where})"
                               if topic.evidence else f"About {topic.label}")
            if len(reasons) == 2:
                break
        if hit.matched and not reasons:
            reasons.append("Its title or headings match your page: " + ", ".join(hit.matched[:4]))
        if hit.mandatory:
            reasons.insert(0, "Mandatory policy")
        return Suggestion(id=hit.id, title=hit.title, url=hit.url, type=hit.type,
                          summary=hit.summary, score=round(score, 3), reasons=reasons,
                          mandatory=hit.mandatory)
