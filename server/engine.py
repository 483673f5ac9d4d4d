"""The suggestion engine: context -> topics (nlp) -> candidates (index) -> ranked, explained list.

The service layer between the HTTP views and the nlp/index packages; it imports neither Flask
nor spaCy nor Whoosh, so the API, the CLI and the evaluation all share exactly this path.
"""

import threading
import uuid
from dataclasses import asdict, dataclass, field

from index import ContentIndex, SearchHit, SearchRequest
from nlp import Context, Topic, TopicExtractor
from nlp.context import FIELD_WEIGHTS

REASON_WEIGHT = 0.2  # a document this much about a topic may be explained by it


@dataclass
class Settings:
    """Ranking knobs, in one place so the bench and the eval see the same numbers."""

    max_words: int = 100  # context terms used, most prominent and rarest first
    min_concept: float = 0.5  # a taxonomy/rule topic must weigh this much to speak for the page
    topic_share: float = 1.0  # weight of topic agreement against word match in the final score
    authority_share: float = 0.25  # weight of in-links (0..1) from the same library
    keep_ratio: float = 0.45  # drop suggestions scoring under this share of the best one
    candidates: int = 40
    min_fit: float = 0.2  # a suggestion must be this much about one of the page's main topics
    mandatory_within: float = 0.75  # a mandatory policy scoring this share of the best goes first
    expand: float = 1.0  # weight of topic labels added to the words (times topic weight)
    stale_factor: float = 0.85  # stale content (review overdue, or unchanged too long) ranks lower
    stale_days: int = 365  # unchanged for this long counts as stale
    # A course of more than quick_minutes (or of unknown length: a semester course from a
    # catalog) is a learning investment. For someone whose role is known, one on a subject that
    # neither their role nor their target roles need shows only when it is the best answer to
    # the page; one on a subject they are building (a gap, a goal, feedback) ranks up by up to
    # personal_boost. A short how-to (the 10-minute expense tool tour) is help for the task at
    # hand, like a guide, for everyone.
    course_keep: float = 1.0
    quick_minutes: int = 60
    personal_boost: float = 0.5


@dataclass
class Personal:
    """What a person's profile adds: topics they are building (0..1) and why, for the reasons."""

    topics: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    # topics of the skills the person's current and target roles need; None: no role known
    scope: set[str] | None = None

    def outside(self, hit: SearchHit, min_fit: float) -> bool:
        """Is the hit about nothing the person's roles need?"""
        return self.scope is not None and not any(hit.topics.get(t, 0.0) >= min_fit
                                                  for t in self.scope | set(self.topics))

    def add(self, topic: str, weight: float, reason: str) -> None:
        if weight > self.topics.get(topic, 0.0):
            self.topics[topic], self.reasons[topic] = weight, reason

    def match(self, hit: SearchHit, page: set[str], min_fit: float) -> tuple[float, str]:
        """How much the hit builds what the person is building, on one of the page's topics."""
        best, reason = 0.0, ""
        for topic, weight in self.topics.items():
            if topic in page and hit.topics.get(topic, 0.0) >= min_fit:
                value = min(weight, hit.topics[topic])
                if value > best:
                    best, reason = value, self.reasons[topic]
        return best, reason


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

    def to_dict(self) -> dict:
        return {"request_id": self.request_id,
                "topics": [{"id": t.id, "label": t.label, "weight": t.weight,
                            "evidence": t.evidence} for t in self.topics],
                "suggestions": [s.to_dict() for s in self.suggestions]}


def thin(concepts: list[Topic]) -> bool:
    """True when the only sign of work is one single word ("laptops", "training", "Swift").

    Shopping, sport and hobby pages share single words with the workplace; a work page says more:
    two different phrases, a multi-word phrase ("expense report") or a rule (an app's URL).
    Every development context has one of these; the consumer pages we tried do not.
    """
    evidence = {e.lower() for t in concepts for e in t.evidence if not e.startswith("via ")}
    return len(evidence) < 2 and not any(" " in e or "." in e for e in evidence) \
        and not any(t.rules for t in concepts)


class Engine:
    """Built once per process; safe to call from several threads."""

    def __init__(self, extractor: TopicExtractor, index: ContentIndex,
                 settings: Settings | None = None):
        self.extractor = extractor
        self.settings = settings or Settings()
        self._nlp_lock = threading.Lock()  # spaCy pipelines are not documented thread-safe
        self.use_index(index)

    def use_index(self, index: ContentIndex) -> None:
        """Serve from another index (a follower's new snapshot): everything that reads the
        index is rebound here, so nothing keeps reading one that is retired and deleted."""
        self.index = index
        self.extractor.set_rarity(index.rarity)

    @property
    def degraded(self) -> bool:
        return self.extractor.info.degraded

    def suggest(self, context: Context, limit: int = 5,
                suppressed: set[tuple[str, str]] | None = None,
                groups: set[str] | None = None,
                acknowledged: dict[str, set[str]] | None = None,
                personal: Personal | None = None, trace: list | None = None) -> Result:
        """groups: the person's audience groups; content restricted to others never shows.
        personal: what the person is building; it ranks content on the page's topics, never
        brings in other topics. trace: a list to receive every candidate (the test bench)."""
        with self._nlp_lock:
            topics = self.extractor.extract(context)
        result = Result(request_id=uuid.uuid4().hex, topics=topics, suggestions=[])
        concepts = [t for t in topics if t.kind != "keyphrase"]
        strong = [t for t in concepts if t.weight >= self.settings.min_concept]
        if not strong:
            result.abstained = "no workplace topic in this context"
        elif thin(concepts):
            result.abstained = "one ambiguous word is all this page says about work"
        else:
            result.suggestions, result.abstained = self._rank(context, concepts, limit,
                                                              suppressed or set(), groups,
                                                              acknowledged or {}, personal,
                                                              trace)
        return result

    def explain(self, context: Context, limit: int = 5, groups: set[str] | None = None,
                personal: Personal | None = None) -> dict:
        """What the test bench shows: topics with evidence, the rules that fired, every
        candidate with its score parts and why it was or was not shown, the suggestions."""
        trace: list[dict] = []
        result = self.suggest(context, limit, groups=groups, personal=personal, trace=trace)
        topics = result.topics
        return {"topics": [{"id": t.id, "label": t.label, "weight": round(t.weight, 3),
                            "evidence": t.evidence, "rules": t.rules, "kind": t.kind}
                           for t in topics],
                "rules": sorted({r for t in topics for r in t.rules}),
                "candidates": trace, "suggestions": [x.to_dict() for x in result.suggestions],
                "abstained": result.abstained}

    def _rank(self, context: Context, concepts: list[Topic], limit: int,
              suppressed: set[tuple[str, str]], groups: set[str] | None,
              acknowledged: dict[str, set[str]],
              personal: Personal | None = None,
              trace: list | None = None) -> tuple[list[Suggestion], str]:
        """trace: when a list, each candidate is appended with its score parts and fate."""
        s = self.settings
        words = self.query_words(context)
        if s.expand:
            present = dict(words)
            for term, weight in self.expansion(concepts):
                present[term] = max(present.get(term, 0.0), weight)
            words = list(present.items())
        topic_ids = {t.id for t in concepts}
        exclude = {cid for cid, topic in suppressed if topic in topic_ids or topic == "*"}
        hits = self.index.rank(SearchRequest(
            words=words, topics=[(t.id, t.weight) for t in concepts],
            limit=s.candidates, exclude=exclude, groups=groups), topic_share=s.topic_share,
            authority_share=s.authority_share, stale_factor=s.stale_factor,
            stale_days=s.stale_days)
        if not hits:
            return [], "no content matches these topics"
        main = [t.id for t in concepts if t.weight >= s.min_concept]
        why: dict[str, str] = {}
        for hit in hits:
            built, reason = personal.match(hit, topic_ids, s.min_fit) if personal else (0, "")
            if built:
                hit.score *= 1 + s.personal_boost * built
                why[hit.id] = reason
        hits.sort(key=lambda h: -h.score)
        best = hits[0].score
        kept, titles = [], set()
        for hit in hits:
            score = hit.score
            title = " ".join(hit.title.lower().split())
            fit = max((hit.topics.get(t, 0.0) for t in main), default=0.0)
            # quiet: nothing far below the best, nothing that is not about one of the page's
            # main topics (a passing "manager" on an expense page), no look-alikes
            unasked = hit.type == "course" and personal is not None and hit.id not in why \
                and not 0 < hit.duration <= s.quick_minutes and personal.outside(hit, s.min_fit)
            fate = "acknowledged in this version" if hit.hash in acknowledged.get(hit.id, ()) \
                else "a course outside the person's roles" if unasked and score < best \
                else "far below the best" if score < s.keep_ratio * best \
                else "same title as one above" if title in titles \
                else "not about the page's main topics" if fit < s.min_fit \
                else "enough already" if len(kept) == limit else ""
            if trace is not None:
                trace.append({"id": hit.id, "title": hit.title, "type": hit.type,
                              "lexical": round(hit.lexical, 3), "topical": round(hit.topical, 3),
                              "personal": why.get(hit.id, ""), "score": round(score / best, 3),
                              "shown": not fate, "why_not": fate})
            if fate:
                continue
            titles.add(title)
            kept.append((score, hit))
        # mandatory policies first, when they are nearly as relevant as the best suggestion: the
        # leave policy may go before a leave guide, not before the parental-leave policy itself
        kept.sort(key=lambda x: (not (x[1].mandatory and x[0] >= s.mandatory_within * best),
                                 -x[0]))
        return [suggestion(h, sc / best, concepts, why.get(h.id, "")) for sc, h in kept], ""

    def expansion(self, concepts: list[Topic]) -> list[tuple[str, float]]:
        """The labels of the page's topics as extra words: a page that says "customers table"
        is about data classification, and documents say so in those words."""
        out: dict[str, float] = {}
        for topic in concepts:
            for term in self.index.analyze(topic.label):
                out[term] = max(out.get(term, 0.0), topic.weight * self.settings.expand)
        return list(out.items())

    def query_words(self, context: Context) -> list[tuple[str, float]]:
        """The context's index terms, each weighted by the most prominent field it appears in."""
        seen: dict[str, float] = {}
        for fname, text in context.sections():
            for term in self.index.analyze(text):
                seen[term] = max(seen.get(term, 0.0), FIELD_WEIGHTS[fname])
        ranked = sorted(seen.items(), key=lambda x: -x[1] * self.index.idf(x[0]))
        return ranked[: self.settings.max_words]


def suggestion(hit: SearchHit, score: float, concepts: list[Topic],
               personal: str = "") -> Suggestion:
    """A hit as the panel shows it, with the reasons a person can check against their page."""
    reasons = [personal] if personal else []
    if hit.mandatory:
        reasons.append("Mandatory policy" if hit.type == "policy" else "Required for your role")
    for topic in concepts:  # strongest first
        if hit.topics.get(topic.id, 0) < REASON_WEIGHT:
            continue
        said = [e for e in topic.evidence if not e.startswith("via ")]
        if said:
            quoted = ", ".join(f"“{e}”" for e in said[:2])
            reasons.append(f"About {topic.label}: your page mentions {quoted}")
        else:
            reasons.append(f"About {topic.label}, the wider subject of your page")
        if len(reasons) >= 3 + bool(personal):
            break
    if hit.type == "course" and hit.duration:
        length = f"{hit.duration}-minute" if hit.duration < 90 else \
            f"{hit.duration / 60:g}-hour".replace(".5-", "½-")
        reasons.append(f"A {length} {hit.level + ' ' if hit.level else ''}course")
    return Suggestion(id=hit.id, title=hit.title, url=hit.url, type=hit.type,
                      summary=hit.summary, score=round(score, 3), reasons=reasons,
                      mandatory=hit.mandatory)
