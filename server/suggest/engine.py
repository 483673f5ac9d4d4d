"""The suggestion engine: context -> topics (nlp) -> candidates (index) -> ranked, explained list.

The service layer between the HTTP views and the nlp/index packages; it imports neither Flask
nor spaCy nor Whoosh, so the API, the CLI and the evaluation all share exactly this path.
"""

import math
import re
import threading
import uuid
from collections import Counter
from dataclasses import dataclass

import numpy as np

from index import SUBJECT_WEIGHT, ContentIndex, SearchHit, SearchRequest
from index.hits import visible
from index.profiles import FEATURES, Candidates, Profiles
from nlp import Context, Topic, TopicExtractor, background
from nlp.context import FIELD_WEIGHTS, site_names, split_title
from server.suggest.ranker import DEFAULT, PLAIN, Model
from server.suggest.reasons import on_subject, same_word, sections, shown_title, suggestion
from server.suggest.results import Personal, Result, Suggestion

MIN_FIT = 0.2  # a document this much about a topic builds it (personal goals)
TRACED = 30  # candidates the test bench lists
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")  # a word as people write it ("on-call")
PART_OF = {"title": "subject", "selection": "outline", "headings": "outline",
           "description": "text", "text": "text"}  # the site's name is left out


@dataclass
class Settings:
    """Knobs that are not learned, in one place so the bench and the eval see the same numbers.
    How candidates are weighed, and when to say nothing, is learned (server/suggest/ranker.py)."""

    max_words: int = 100  # context terms used, most prominent and rarest first
    pool: int = 100  # candidates the ranking model scores
    expand: float = 1.0  # weight of topic labels added to the words (times topic weight)
    stale_days: int = 365  # unchanged for this long counts as stale
    taxonomy: bool = True  # False: the taxonomy and rules are ignored (a library on day one)
    # Content on a subject the person is building (a gap, a goal, feedback) ranks up by up to
    # personal_boost times the typical distance between neighbours among the page's ten best
    # scores (the median gap; the spread of all ten is the distance from the first to the
    # rest, and a nudge that size jumps several places): a nudge among near-equals, never a
    # reason to show what the page is not about. (Hiding
    # courses outside a person's roles was tried and cost relevance on the judged pages with
    # a profile, so personalisation only ever lifts.)
    personal_boost: float = 1.0
    # A stale document (review overdue, or unchanged for stale_days) loses this much of its
    # score (in the ranker's units: 0.5 turns an even match into 38:62). A product rule, not
    # learned: nothing in the judged library is stale, so no judgment could teach it.
    stale_penalty: float = 0.5


@dataclass
class Page:
    """What the engine made of a page: its topics, the candidates and what the model says."""

    topics: list[Topic]
    concepts: list[Topic]  # the taxonomy and rule topics the ranking used
    candidates: Candidates
    hits: list[SearchHit]
    scores: np.ndarray  # the ranker's, one per hit
    features: np.ndarray  # the abstainer's input (profiles.PAGE_FEATURES + ranker.PAGE_EXTRA)
    answer: float  # the abstainer's probability that the library speaks to this page
    affinity: tuple[float, float, float, float]  # see Engine.affinity
    context: Context
    profiles: Profiles  # the generation candidates.docs point into
    set_aside: bool = False  # the person dismissed, snoozed or completed some of what matched


def page_features(found: Candidates, scores: np.ndarray, concepts: list[Topic],
                  affinity: tuple[float, float, float, float]) -> np.ndarray:
    """The abstainer's input: the page's own features, then the best score, its lead over the
    next nine (a clear winner, or a crowd of equals), the strongest concept and the page's
    affinity with the library (Engine.affinity)."""
    top = np.sort(scores)[::-1][:10]
    best = float(top[0]) if len(top) else 0.0
    lead = best - float(top[1:].mean()) if len(top) > 1 else 0.0
    concept = max((t.weight for t in concepts), default=0.0)
    return np.concatenate([found.page, np.array([best, lead, concept, *affinity],
                                                dtype=np.float32)])


def copy_keys(hit: SearchHit, profiles: Profiles) -> set[tuple[str, ...]]:
    """What makes two cards one: the same text (a file copied into two folders), or the same
    source and the title a card shows (two versions of a code of conduct). The same title in
    two sources is two documents, and each card says whose it is ("Pull requests" from two
    teams' handbooks)."""
    keys = {("title", hit.source, " ".join(shown_title(hit, profiles).lower().split()))}
    return keys | {("text", hit.hash)} if hit.hash else keys


class Engine:
    """Built once per process; safe to call from several threads."""

    def __init__(self, extractor: TopicExtractor, index: ContentIndex,
                 settings: Settings | None = None, model: Model | None = None,
                 same_words: bool = False):
        """model: the ranking model; by default the one fitted to the reference judgments,
        with or without taxonomy features as settings.taxonomy says. same_words: index is a
        copy of the one the extractor already reads its word statistics from (a tag preview),
        so the extractor, shared with the live engine, is left bound to that one."""
        self.extractor = extractor
        self.settings = settings or Settings()
        self.model = model or Model.load(DEFAULT if self.settings.taxonomy else PLAIN)
        self._nlp_lock = threading.Lock()  # spaCy pipelines are not documented thread-safe
        if same_words:
            self.index = index
        else:
            self.use_index(index)

    def use_index(self, index: ContentIndex) -> None:
        """Serve from another index (a follower's new snapshot): everything that reads the
        index is rebound here, so nothing keeps reading one that is retired and deleted."""
        self.index = index
        self.extractor.set_rarity(index.rarity)

    @property
    def degraded(self) -> bool:
        return self.extractor.info.degraded

    def read(self, context: Context, groups: set[str] | None = None,
             suppressed: set[tuple[str, str]] | None = None) -> Page:
        """One spaCy pass, the first stage and both models: everything but the choice of
        cards. The training reads the judged pages through here, as suggest() does. The whole
        request reads one generation of the profiles (the index may commit meanwhile)."""
        s = self.settings
        with self._nlp_lock:
            topics = self.extractor.extract(context)
        profiles = self.index.profiles()
        concepts = [t for t in topics if t.kind != "keyphrase"] if s.taxonomy else []
        analyzed = [(name, self.index.analyze(text)) for name, text in sections(context)]
        words = self.query_words(analyzed, profiles)
        if s.expand and concepts:
            present = dict(words)
            for term, weight in self.expansion(concepts):
                present[term] = max(present.get(term, 0.0), weight)
            words = list(present.items())
        topic_ids = {t.id for t in concepts}
        exclude = {cid for cid, topic in suppressed or () if topic in topic_ids or topic == "*"}
        parts = self.query_parts(analyzed, profiles)
        parts["concepts"] = self.expansion(concepts)
        found, hits = self.index.candidates(SearchRequest(
            words=words, topics=[(t.id, t.weight) for t in concepts], parts=parts),
            pool=s.pool, stale_days=s.stale_days, profiles=profiles)
        scores = self.model.score(found.matrix)
        affinity = self.affinity(context, profiles)
        features = page_features(found, scores, concepts, affinity)
        answer = self.answer(self.model, features, bool(hits), concepts)
        # whether the library speaks to the page is decided on all of it; what this person
        # is shown leaves out what is not for their groups and what they dismissed
        keep = [i for i, hit in enumerate(hits)
                if hit.id not in exclude and visible(hit.audience, groups)]
        set_aside = any(hit.id in exclude for hit in hits)
        if len(keep) < len(hits):
            found = found.only(keep)
            hits, scores = [hits[i] for i in keep], scores[keep]
        return Page(topics, concepts, found, hits, scores, features, answer, affinity, context,
                    profiles, set_aside)

    @staticmethod
    def answer(model: Model, features: np.ndarray, found: bool,
               concepts: list[Topic]) -> float:
        """How sure the engine is that the library speaks to the page (0..1); it answers from
        model.threshold up. found: whether anything matched. A library of any size: a small
        one's word counts lean on a large workplace library's (nlp/background.py), so its
        pages' features are on the scale the abstainer was fitted on."""
        if not found:
            return 0.0
        if any(t.rules and t.weight >= SUBJECT_WEIGHT for t in concepts):
            return 1.0  # an admin's rule fired: someone who knows says this page is work
        return model.answer_probability(features)

    def suggest(self, context: Context, limit: int = 3,
                suppressed: set[tuple[str, str]] | None = None,
                groups: set[str] | None = None,
                acknowledged: dict[str, set[str]] | None = None,
                personal: Personal | None = None, trace: list | None = None) -> Result:
        """groups: the person's audience groups; content restricted to others never shows.
        personal: what the person is building; it ranks content on the page's topics, never
        brings in other topics. trace: a list to receive every candidate (the test bench)."""
        return self.suggest_for(self.read(context, groups=groups, suppressed=suppressed),
                                limit, acknowledged, personal, trace)

    def suggest_for(self, page: Page, limit: int = 3,
               acknowledged: dict[str, set[str]] | None = None,
               personal: Personal | None = None, trace: list | None = None) -> Result:
        """What suggest() answers for a page already read: the abstainer's say, then the
        cards. A caller that needs the page too (career/duties) reads it once."""
        result = Result(request_id=uuid.uuid4().hex, topics=page.topics, suggestions=[],
                        work=page.answer >= self.model.threshold)
        if not result.work:
            result.quiet("not_work" if page.answer else "no_match", page.answer or None)
        elif not page.hits:  # content only for other groups is not even told of
            result.quiet("hidden" if page.set_aside else "no_match")
        else:
            result.suggestions = self._choose(page, limit, acknowledged or {}, personal, trace)
            if not result.suggestions:  # all acknowledged
                result.quiet("hidden")
        return result

    def explain(self, context: Context, limit: int = 3, groups: set[str] | None = None,
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

    def _choose(self, page: Page, limit: int, acknowledged: dict[str, set[str]],
                personal: Personal | None, trace: list | None) -> list[Suggestion]:
        """The model's order, the person's goals as a nudge, then the cards: no duplicates,
        nothing acknowledged, on-topic mandatory policies first.
        trace: when a list, each candidate is appended with its score parts and fate."""
        s = self.settings
        topic_ids = {t.id for t in page.concepts}
        scores, matrix = page.scores.astype(np.float64), page.candidates.matrix
        if len(scores):
            scores -= s.stale_penalty * matrix[:, FEATURES.index("stale")]
        why: dict[str, str] = {}
        top = np.sort(scores)[::-1][:10]
        step = float(np.median(-np.diff(top))) if len(top) > 1 else 1.0
        lifts = personal.lifts(page.hits, topic_ids, MIN_FIT) if personal else []
        for i, (built, reason) in enumerate(lifts):
            if built:
                scores[i] += s.personal_boost * built * step
                why[page.hits[i].id] = reason
        order = np.argsort(-scores, kind="stable")
        best = float(scores[order[0]])
        kept: list[tuple[int, SearchHit]] = []
        shown: set[tuple[str, ...]] = set()
        # the page's subject: its strongest topic, when it is clearly about one
        strongest = max(page.concepts, key=lambda t: t.weight, default=None)
        subject = strongest.id if strongest and strongest.weight >= SUBJECT_WEIGHT else None
        for rank, i in enumerate(order):
            hit, score = page.hits[i], float(scores[i])
            on_topic = on_subject(hit, subject)
            # a copy is looked for only among what could still be shown (its title is read)
            keys = copy_keys(hit, page.profiles) if len(kept) < limit or on_topic else set()
            fate = "acknowledged in this version" if hit.hash in acknowledged.get(hit.id, ()) \
                else "a copy of one above" if keys & shown \
                else "enough already" if len(kept) >= limit and not on_topic else ""
            if trace is not None and rank < TRACED:
                trace.append({"id": hit.id, "title": hit.title, "type": hit.type,
                              "lexical": round(float(matrix[i, FEATURES.index("lexical")]), 3),
                              "topical": round(float(matrix[i, FEATURES.index("topical")]), 3),
                              "personal": why.get(hit.id, ""),
                              "score": round(self.model.useful(score, rank, best), 3),
                              "shown": not fate, "why_not": fate})
            if fate:
                continue
            shown |= keys
            kept.append((i, hit))
        kept = self._mandatory_first(kept, subject)
        said: dict[str, list[str]] = {}  # term -> the page's words for it, not the site's
        common = self.extractor.nlp.Defaults.stop_words  # "per", "via": no evidence for a card
        for name, text in sections(page.context):
            for word in WORD.findall(text) if name != "site" else ():
                if word.lower() in common:
                    continue
                for term in self.index.terms(word):
                    said.setdefault(term, []).append(word)
        profiles = self.index.profiles()
        place = {int(i): rank for rank, i in enumerate(order)}  # among all, hidden ones too
        return [suggestion(h, self.model.useful(float(scores[i]), place[int(i)], best),
                           page.concepts, why.get(h.id, ""), self._shared(page, i, said),
                           split_title(page.context.title)[1], shown_title(h, profiles))
                for i, h in kept[:limit]]

    def _shared(self, page: Page, i: int,
                said: dict[str, list[str]]) -> tuple[list[str], list[str]]:
        """What a candidate and its page have in common, to say why it is there: the words of
        its title the page says, and the other words of the page its text has, the rarest
        first; as the page wrote them. said: the page's terms, each with the page's words.
        A title word is quoted only when the page says that word ("Policy" of "policies"):
        "Acceptable" and "Acceptance" share a stem, not a meaning; nor is such a word quoted
        as one the item covers (its title is where the item has it)."""
        if not said:
            return [], []
        title, named = [], set()
        for word in WORD.findall(page.hits[i].title):
            terms = set(self.index.terms(word)) & said.keys()
            named |= terms  # the title's, quoted or not: "covers “Acceptance”" says no more
            if any(same_word(word, w) for t in terms for w in said[t]) \
                    and word.lower() not in (w.lower() for w in title):
                title.append(word)
        has = page.profiles.shared(page.candidates, i, said) - named
        words = sorted(has, key=lambda t: (-page.profiles.idf(t), t))  # ties: one order
        return title, [said[t][0] for t in words]

    @staticmethod
    def _mandatory_first(kept: list[tuple[int, SearchHit]],
                         subject: str | None) -> list[tuple[int, SearchHit]]:
        """The best mandatory item about the page's subject goes first: what the organisation
        requires is never below the fold of three cards. The others keep the model's order,
        so required reading does not crowd out the rest. When the model's first card is
        mandatory already, it stays first: required reading leads either way, and the page's
        strongest topic (a supplier's "Vendor management") is a coarser guide to what the page
        needs than the model (the gifts policy, on a page about a supplier's gift)."""
        if kept and kept[0][1].mandatory:
            return kept
        first = next((k for k in kept if on_subject(k[1], subject)), None)
        return kept if first is None else [first] + [k for k in kept if k is not first]

    def expansion(self, concepts: list[Topic]) -> list[tuple[str, float]]:
        """The labels of the page's topics as extra words: a page that says "customers table"
        is about data classification, and documents say so in those words."""
        out: dict[str, float] = {}
        for topic in concepts:
            for term in self.index.analyze(topic.label):
                out[term] = max(out.get(term, 0.0), topic.weight * self.settings.expand)
        return list(out.items())

    def query_words(self, analyzed: list[tuple[str, list[str]]],
                    profiles: Profiles) -> list[tuple[str, float]]:
        """The context's index terms (analyzed: each field's), each weighted by the square root
        of its uses on the page (four uses: 2), wherever they are: said often weighs more, but
        no word drowns the others. Where a word is said is for the model to weigh: the page's
        subject, outline and text are features of their own (query_parts). (A title word
        counted three times here before, a weight set by hand; counted once, `make eval`'s
        cross-validated nDCG@5 rose from 0.500 to 0.512, and the titles of web apps, "Create
        issue", "Editing release.yml", stopped outweighing what the page says.)"""
        seen: dict[str, float] = {}
        for _, terms in analyzed:
            for term in terms:
                seen[term] = seen.get(term, 0.0) + 1.0
        ranked = sorted(((t, math.sqrt(w)) for t, w in seen.items()),
                        key=lambda x: -x[1] * profiles.idf(x[0]))
        return ranked[: self.settings.max_words]

    def affinity(self, context: Context, profiles: Profiles
                 ) -> tuple[float, float, float, float]:
        """How much more this library uses the page's words than English does: the mean log
        ratio over the page's words (weighted by field), over its subject's, the share of its
        words the library uses more (nlp/background.py), and the same for where the page is
        (Engine.site_affinity)."""
        total = subject = weight = subject_weight = more = 0.0
        for fname, text in sections(context):
            if fname == "site":
                continue
            for word in background.words(text):
                ratio = self.word_affinity(word, profiles)
                if ratio is None:
                    continue  # a stop word
                w = FIELD_WEIGHTS[fname]
                total, weight, more = total + w * ratio, weight + w, more + w * (ratio > 0)
                if fname == "title":
                    subject, subject_weight = subject + ratio, subject_weight + 1
        site = self.site_affinity(context, profiles)
        if not weight:
            return (-background.LIMIT, -background.LIMIT, 0.0, site)
        return (total / weight, subject / subject_weight if subject_weight
                else -background.LIMIT, more / weight, site)

    def word_affinity(self, word: str, profiles: Profiles) -> float | None:
        """background.affinity of one word in this library; None for a stop word."""
        terms = self.index.terms(word)
        return background.affinity(profiles.uses_of(terms[0]), profiles.words, word,
                                   background.workplace().share(terms[0])) if terms else None

    def site_affinity(self, context: Context, profiles: Profiles) -> float:
        """Does the library speak of the tool the page is in? Its handbooks name the tools the
        organisation works in (Jira, Workday, Zendesk) far more than English does, and not a
        sports club's or a streaming service's. The larger of the mean log ratio over the
        site's name and the largest over its host's labels, never below 0: a site the library
        does not name says nothing either way (a small library names few), nor does a page
        without a site or an address."""
        site, labels = site_names(context)
        named = [r for w in background.words(site)
                 if (r := self.word_affinity(w, profiles)) is not None]
        hosted = [r for w in background.words(" ".join(labels))
                  if (r := self.word_affinity(w, profiles)) is not None]
        said = ([sum(named) / len(named)] if named else []) + ([max(hosted)] if hosted else [])
        return max([0.0, *said])

    def query_parts(self, analyzed: list[tuple[str, list[str]]], profiles: Profiles
                    ) -> dict[str, list[tuple[str, float]]]:
        """The page's terms by part: its subject (the title without the site), its outline
        (selection and headings) and its text; a term said n times weighs 1 + ln n."""
        counts: dict[str, Counter] = {"subject": Counter(), "outline": Counter(),
                                      "text": Counter()}
        for fname, terms in analyzed:
            part = PART_OF.get(fname)
            if part:
                counts[part].update(terms)
        out = {}
        for part, tf in counts.items():
            weighted = sorted(((t, 1 + math.log(n)) for t, n in tf.items()),
                              key=lambda x: -x[1] * profiles.idf(x[0]))
            out[part] = weighted[: self.settings.max_words]
        return out
