"""extract_topics: from a work context to weighed topics, each with the evidence behind it."""

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from .context import FIELD_WEIGHTS, Context, layout
from .hits import Hit
from .pipeline import PipelineInfo, build_pipeline

URL_WEIGHT = 2.0  # a URL rule is as telling as a selected phrase
PARENT_SHARE = 0.15  # a parent topic gets this share of its child's weight ("via Expenses")
MAX_CONCEPTS = 8  # taxonomy and rule topics returned
MAX_PHRASES = 6  # keyphrases returned
MAX_EVIDENCE = 4
# The recogniser of names is the costliest part of a pass: about half of it on a full page of
# 250 words. It reads the first this many words, which hold the title, selection, headings and
# the start of the text (a page's reading order); keyphrases come from them only, so a name
# further down is never taken for a phrase (docs/privacy.md).
NAMED_TOKENS = 160


@dataclass
class Topic:
    """A topic found in a context. weight is 0..1; evidence says what produced it."""

    id: str
    label: str
    weight: float
    evidence: list[str] = field(default_factory=list)
    kind: str = "taxonomy"  # taxonomy | rule | keyphrase
    rules: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def squash(raw: float) -> float:
    """Map a sum of evidence onto 0..1: one title hit gives 0.78, one snippet hit 0.39."""
    return round(1 - math.exp(-raw / 2), 3)


class TopicExtractor:
    """Owns the pipeline; built once per process and shared by every request."""

    def __init__(self, nlp: Language, info: PipelineInfo):
        self.nlp = nlp
        self.info = info
        self.taxonomy = nlp.get_pipe("taxonomy_matcher").taxonomy

    @classmethod
    def build(cls, model=None, taxonomy_path=None, rules_path=None) -> "TopicExtractor":
        args = {"taxonomy_path": taxonomy_path, "rules_path": rules_path}
        if model is not None:
            args["model"] = model
        return cls(*build_pipeline(**args))

    def set_rarity(self, rarity: Callable[[list[str]], float] | None) -> None:
        self.nlp.get_pipe("keyphrases").set_rarity(rarity)

    def analyze(self, context: Context) -> list[Hit]:
        text, ranges = layout(context)
        doc = self.nlp.make_doc(text)
        doc._.url = context.url
        doc._.field_ranges = ranges
        for name, proc in self.nlp.pipeline:
            doc = read_names(proc, doc) if name == "ner" and len(doc) > NAMED_TOKENS \
                else proc(doc)
        return doc._.hits or []

    def extract(self, context: Context) -> list[Topic]:
        return merge_hits(self.analyze(context), self.taxonomy)


def read_names(ner, doc: Doc) -> Doc:
    """The recogniser's names in the first NAMED_TOKENS words only (the recogniser reads
    words with its own embedding, so a shorter text costs it less)."""
    start = doc[:NAMED_TOKENS].as_doc()
    ner(start)
    spans = [doc.char_span(e.start_char, e.end_char, label=e.label_) for e in start.ents]
    doc.ents = [span for span in spans if span is not None]
    doc._.named_to = NAMED_TOKENS
    return doc


def merge_hits(hits: list[Hit], taxonomy) -> list[Topic]:
    """Group hits by topic, weigh them by field, lend parents a share, keep the strongest."""
    raw: dict[str, float] = {}
    topics: dict[str, Topic] = {}
    for hit in hits:
        fw = URL_WEIGHT if hit.field == "url" else FIELD_WEIGHTS.get(hit.field, 1.0)
        topic = topics.setdefault(hit.topic, Topic(id=hit.topic, label=hit.label, weight=0,
                                                   kind=hit.kind))
        if hit.kind == "keyphrase":  # a phrase counts once, at its best field
            raw[hit.topic] = max(raw.get(hit.topic, 0), hit.weight * fw)
        else:
            raw[hit.topic] = raw.get(hit.topic, 0) + hit.weight * fw
        if hit.rule and hit.rule not in topic.rules:
            topic.rules.append(hit.rule)
        if hit.evidence not in topic.evidence and len(topic.evidence) < MAX_EVIDENCE:
            topic.evidence.append(hit.evidence)
        if hit.field not in topic.fields:
            topic.fields.append(hit.field)
    for topic_id in [t for t in list(raw) if topics[t].kind != "keyphrase"]:
        parent = taxonomy.parent(topic_id)
        if parent and parent not in raw:
            raw[parent] = 0.0
            topics[parent] = Topic(id=parent, label=taxonomy.label(parent), weight=0,
                                   evidence=[f"via {topics[topic_id].label}"], fields=["parent"])
        if parent and "parent" in topics[parent].fields:
            raw[parent] += raw[topic_id] * PARENT_SHARE
    for topic_id, value in raw.items():
        topics[topic_id].weight = squash(value)
    concepts = sorted((t for t in topics.values() if t.kind != "keyphrase"),
                      key=lambda t: -t.weight)[:MAX_CONCEPTS]
    phrases = sorted((t for t in topics.values() if t.kind == "keyphrase"),
                     key=lambda t: -t.weight)[:MAX_PHRASES]
    return concepts + phrases
