"""Keyphrases: noun phrases and named entities, weighed by how rare their words are in the index."""

from collections.abc import Callable

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from .hits import Hit, add_hits, field_of

# Entity types that name things worth learning about; dates, amounts and counts are not topics,
# and a person's name is personal data, never a phrase to search or show (docs/privacy.md).
SKIP_ENTITIES = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL", "PERSON"}
MAX_WORDS = 4

# A noun phrase from part-of-speech tags, so the dependency parser need not run: it costs 1.4 ms
# of the 8.4 ms a full pass takes on a 23-word context here, and noun phrases are all we want.
NOUN_PHRASE = [{"POS": {"IN": ["ADJ", "NOUN", "PROPN"]}, "OP": "*"},
               {"POS": {"IN": ["NOUN", "PROPN"]}}]

Rarity = Callable[[list[str]], float]


@Language.factory("keyphrases", default_config={"max_phrases": 12})
def make_keyphrases(nlp: Language, name: str, max_phrases: int):
    return Keyphrases(nlp, name, max_phrases)


class Keyphrases:
    """Scores candidate phrases by rarity; rarity comes from the index via set_rarity()."""

    def __init__(self, nlp: Language, name: str, max_phrases: int = 12):
        self.name = name
        self.nlp = nlp
        self.max_phrases = max_phrases
        self.rarity: Rarity | None = None
        self.matcher = Matcher(nlp.vocab)
        self.matcher.add("NP", [NOUN_PHRASE], greedy="LONGEST")

    def set_rarity(self, rarity: Rarity | None) -> None:
        """rarity(words) -> 0..1, 1 for words the index has (almost) never seen."""
        self.rarity = rarity

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.match(doc))
        return doc

    def candidates(self, doc: Doc) -> list[Span]:
        spans = list(doc.ents)
        if doc.has_annotation("TAG") or doc.has_annotation("POS"):
            spans += [doc[s:e] for _, s, e in self.matcher(doc)]
        else:  # degraded: runs of content words between stop words and punctuation
            start = None
            for tok in [*doc, None]:
                ok = tok is not None and tok.is_alpha and not tok.is_stop and len(tok) > 1
                if ok and start is None:
                    start = tok.i
                elif not ok and start is not None:
                    end = tok.i if tok is not None else len(doc)
                    spans.append(doc[start:end])
                    start = None
        return spans

    def people(self, doc: Doc) -> list[Span]:
        """PERSON entities, and runs of capitalised proper nouns the recogniser calls a person
        when it reads them alone: the small model misses "Maria Lopez" right after another
        field's line, and finds her in the name by itself."""
        people = [e for e in doc.ents if e.label_ == "PERSON"]
        if "ner" not in self.nlp.pipe_names or not doc.has_annotation("TAG"):
            return people
        run: list = []
        for tok in [*doc, None]:
            if tok is not None and tok.pos_ == "PROPN" and tok.is_title and tok.is_alpha:
                run.append(tok)
                continue
            # the whole run, then without its first word ("Call Maria Lopez", "Ask Jo Tan")
            for words in (run, run[1:]):
                if len(words) < 2 or any(p.start <= words[0].i < p.end for p in people):
                    break
                found = self._persons(words)
                people += [doc[words[0].i + s:words[0].i + e] for s, e in found]
                if found:
                    break
            run = []
        return people

    def _persons(self, words: list) -> list[tuple[int, int]]:
        """(start, end) of PERSON entities in these words read alone, in the words' positions."""
        alone = self.nlp.make_doc(" ".join(t.text for t in words))
        if len(alone) != len(words):  # one token per word, or the positions would not line up
            return []
        for name in ("tok2vec", "ner"):
            if self.nlp.has_pipe(name):
                alone = self.nlp.get_pipe(name)(alone)
        return [(e.start, e.end) for e in alone.ents if e.label_ == "PERSON"]

    def match(self, doc: Doc) -> list[tuple[Span, float]]:
        seen: dict[str, tuple[Span, float]] = {}
        people = self.people(doc)
        for span in self.candidates(doc):
            if span.label_ in SKIP_ENTITIES or \
                    any(p.start < span.end and span.start < p.end for p in people):
                continue
            words = [t for t in span if t.is_alpha and not t.is_stop]
            if not words or len(words) > MAX_WORDS:
                continue
            key = " ".join(t.lower_ for t in words)
            score = self.rarity([t.lower_ for t in words]) if self.rarity else 0.5
            if key not in seen or seen[key][1] < score:
                seen[key] = (span, score)
        ranked = sorted(seen.values(), key=lambda x: -x[1])
        return ranked[: self.max_phrases]

    def set_annotations(self, doc: Doc, scored: list[tuple[Span, float]]) -> None:
        hits = []
        for span, score in scored:
            words = " ".join(t.lower_ for t in span if t.is_alpha and not t.is_stop)
            hits.append(Hit(topic="phrase:" + words, label=words, weight=round(score, 3),
                            evidence=span.text, kind="keyphrase",
                            field=field_of(doc, span.start_char)))
        add_hits(doc, hits)
