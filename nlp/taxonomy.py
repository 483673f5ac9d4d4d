"""The workplace taxonomy (topics, synonyms, parents) and the component that finds it in text."""

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .hits import Hit, add_hits, field_of

DATA = Path(__file__).parent / "data"
DEFAULT_TAXONOMY = DATA / "taxonomy.yaml"
# Named entities whose words mean something else than the topic words they contain.
NAMES = {"PERSON", "GPE", "LOC", "FAC", "WORK_OF_ART", "EVENT"}


class TaxonomyError(ValueError):
    """The taxonomy file is unreadable or inconsistent; the message names the entry."""


@dataclass
class TopicDef:
    id: str
    label: str
    parent: str | None = None
    synonyms: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)  # what content on it teaches

    def phrases(self) -> list[str]:
        return [self.label, *self.synonyms]


@dataclass
class Taxonomy:
    topics: dict[str, TopicDef]

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Taxonomy":
        path = Path(path or DEFAULT_TAXONOMY)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise TaxonomyError(f"cannot read taxonomy {path}: {exc}") from exc
        return cls.parse(text, path)

    @classmethod
    def parse(cls, text: str, path: str | Path = "taxonomy") -> "Taxonomy":
        """A taxonomy from its YAML text; TaxonomyError names the entry that is wrong."""
        try:
            entries = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise TaxonomyError(f"cannot read taxonomy {path}: {exc}") from exc
        if not isinstance(entries, list):
            raise TaxonomyError(f"{path}: expected a list of topics")
        topics: dict[str, TopicDef] = {}
        for n, entry in enumerate(entries, 1):
            if not isinstance(entry, dict) or not entry.get("id") or not entry.get("label"):
                raise TaxonomyError(f"{path}: topic #{n} needs an id and a label")
            for key in ("synonyms", "skills"):
                if not isinstance(entry.get(key) or [], list):
                    raise TaxonomyError(f"{path}: {key} of {entry['id']!r} must be a list")
            if entry["id"] in topics:
                raise TaxonomyError(f"{path}: topic id {entry['id']!r} appears twice")
            topics[entry["id"]] = TopicDef(
                id=str(entry["id"]),
                label=str(entry["label"]),
                parent=entry.get("parent"),
                synonyms=[str(s) for s in entry.get("synonyms") or []],
                skills=[str(s) for s in entry.get("skills") or []],
            )
        for topic in topics.values():
            if topic.parent and topic.parent not in topics:
                raise TaxonomyError(f"{path}: {topic.id!r} has unknown parent {topic.parent!r}")
        return cls(topics)

    def label(self, topic_id: str) -> str:
        topic = self.topics.get(topic_id)
        return topic.label if topic else topic_id

    def parent(self, topic_id: str) -> str | None:
        topic = self.topics.get(topic_id)
        return topic.parent if topic else None

    def skills(self, topic_id: str) -> list[str]:
        """The skills content on a topic teaches: its own, or its nearest ancestor's."""
        seen = set()
        topic = self.topics.get(topic_id)
        while topic is not None and topic.id not in seen:
            if topic.skills:
                return topic.skills
            seen.add(topic.id)
            topic = self.topics.get(topic.parent) if topic.parent else None
        return []

    def propose_skills(self, topics: dict[str, float]) -> dict[str, float]:
        """{skill: confidence} for a document's {topic: weight}: the best topic teaching it."""
        out: dict[str, float] = {}
        for topic_id, weight in topics.items():
            for skill in self.skills(topic_id):
                out[skill] = max(out.get(skill, 0.0), weight)
        return dict(sorted(out.items(), key=lambda x: (-x[1], x[0])))

    def __len__(self) -> int:
        return len(self.topics)


def _plural(phrase: str) -> str:
    """A plural of the phrase's last word, so "expense report" also finds "expense reports".

    Lower-case matching is what ingest can afford (no tagger over 63 MB); lemma matching covers
    the rest in contexts when the trained pipeline is loaded.
    """
    if phrase.endswith(("s", "x", "ch", "sh")):
        return phrase + "es" if not phrase.endswith("s") else phrase
    if phrase.endswith("y") and phrase[-2:-1] not in "aeiou":
        return phrase[:-1] + "ies"
    return phrase + "s"


@Language.factory("taxonomy_matcher", default_config={"path": None, "weight": 1.0})
def make_taxonomy_matcher(nlp: Language, name: str, path: str | None, weight: float):
    return TaxonomyMatcher(nlp, name, Taxonomy.load(path), weight)


class TaxonomyMatcher:
    """Finds taxonomy topics by their labels and synonyms, on lower case and (if tagged) lemma."""

    def __init__(self, nlp: Language, name: str, taxonomy: Taxonomy, weight: float = 1.0):
        self.name = name
        self.taxonomy = taxonomy
        self.weight = weight
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.lemma = None
        for topic in taxonomy.topics.values():
            phrases = {p.lower() for p in topic.phrases()}
            phrases |= {_plural(p) for p in phrases}
            self.lower.add(topic.id, list(nlp.tokenizer.pipe(sorted(phrases))))
        if "lemmatizer" in nlp.pipe_names:
            self.lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
            lemmatize = [p for p in ("tok2vec", "tagger", "attribute_ruler", "lemmatizer")
                         if p in nlp.pipe_names]
            for topic in taxonomy.topics.values():
                # Multi-word phrases only: a lone "training" lemmatizes to "train" and "logging"
                # to "log", which then fire on timetables and log-ins.
                phrases = sorted({p.lower() for p in topic.phrases() if " " in p.strip()})
                if not phrases:
                    continue
                with nlp.select_pipes(enable=lemmatize):
                    self.lemma.add(topic.id, list(nlp.pipe(phrases)))

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.match(doc))
        return doc

    def match(self, doc: Doc) -> list[tuple[str, int, int]]:
        found = {(doc.vocab.strings[m], s, e) for m, s, e in self.lower(doc)}
        if self.lemma is not None and doc.has_annotation("LEMMA"):
            found |= {(doc.vocab.strings[m], s, e) for m, s, e in self.lemma(doc)}
        # "expense report" and its "expense" are one piece of evidence, not two
        found = {m for m in found if not any(o != m and o[0] == m[0] and o[1] <= m[1]
                                               and m[2] <= o[2] for o in found)}
        return sorted(found, key=lambda x: (x[1], x[2]))

    def set_annotations(self, doc: Doc, matches: list[tuple[str, int, int]]) -> None:
        hits = []
        # only clean names: the small model also calls "Zendesk\nPriority: Urgent" a person
        names = [e for e in doc.ents if e.label_ in NAMES and "\n" not in e.text
                 and all(t.is_title for t in e if t.is_alpha)]
        for topic_id, start, end in matches:
            span = doc[start:end]
            if any(e.start <= start and end <= e.end and len(e) > end - start for e in names):
                continue  # "Swift" in "Taylor Swift" is a person, not a programming language
            hits.append(Hit(topic=topic_id, label=self.taxonomy.label(topic_id),
                            weight=self.weight, evidence=span.text, kind="taxonomy",
                            field=field_of(doc, span.start_char)))
        add_hits(doc, hits)
