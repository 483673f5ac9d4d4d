"""Keyphrases: noun phrases and named entities, weighed by how rare their words are in the index."""

from collections.abc import Callable

from spacy.language import Language
from spacy.pipeline.tok2vec import Tok2VecListener
from spacy.tokens import Doc, Span

from .hits import Hit, add_hits, field_of

# Entity types that name things worth learning about; dates, amounts and counts are not topics,
# and a person's name is personal data, never a phrase to search or show (docs/privacy.md).
SKIP_ENTITIES = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL", "PERSON"}
MAX_WORDS = 4

# A noun phrase from part-of-speech tags, so the dependency parser need not run: it costs 1.4 ms
# of the 8.4 ms a full pass takes on a 23-word context here, and noun phrases are all we want.
# The longest runs of adjectives and nouns that end in a noun; one scan of the tags (spaCy's
# Matcher with the same pattern, ADJ|NOUN|PROPN * then NOUN|PROPN, took 3.5 ms a page).
PHRASE_POS = {"ADJ", "NOUN", "PROPN"}
HEAD_POS = {"NOUN", "PROPN"}

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
        self._listens: bool | None = None  # _ner_listens(), found once

    def set_rarity(self, rarity: Rarity | None) -> None:
        """rarity(words) -> 0..1, 1 for words the index has (almost) never seen."""
        self.rarity = rarity

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.match(doc))
        return doc

    def candidates(self, doc: Doc) -> list[Span]:
        spans = list(doc.ents)
        if doc.has_annotation("TAG") or doc.has_annotation("POS"):
            spans += noun_phrases(doc)
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
        field's line, and finds her in the name by itself. A run that holds no person is read
        again without its first word ("Call Maria Lopez", "Ask Jo Tan")."""
        people = [e for e in doc.ents if e.label_ == "PERSON"]
        if "ner" not in self.nlp.pipe_names or not doc.has_annotation("TAG"):
            return people
        runs, run = [], []
        for tok in [*doc, None]:
            if tok is not None and tok.pos_ == "PROPN" and tok.is_title and tok.is_alpha:
                run.append(tok)
            elif run:
                runs.append(run)
                run = []

        def unnamed(words: list) -> bool:
            return len(words) >= 2 and not any(p.start <= words[0].i < p.end for p in people)

        retry = []
        for shorter in (False, True):
            asked = [words for words in (retry if shorter else runs) if unnamed(words)]
            for words, spans in zip(asked, self._persons(asked), strict=True):
                people += [doc[words[0].i + s:words[0].i + e] for s, e in spans]
                if not spans and not shorter:
                    retry.append(words[1:])
        return people

    def _persons(self, runs: list[list]) -> list[list[tuple[int, int]]]:
        """For each run of words, (start, end) of the PERSON entities in it read alone, in the
        words' positions; all runs in one batch of the recogniser."""
        docs = [self.nlp.make_doc(" ".join(t.text for t in words)) for words in runs]
        fits = [len(d) == len(w) for d, w in zip(docs, runs, strict=True)]  # positions line up
        alone = [d for d, ok in zip(docs, fits, strict=True) if ok]
        for name in ("tok2vec", "ner") if self._ner_listens() else ("ner",):
            if alone and self.nlp.has_pipe(name):
                alone = list(self.nlp.get_pipe(name).pipe(alone))
        read = iter(alone)
        return [[(e.start, e.end) for e in next(read).ents if e.label_ == "PERSON"] if ok else []
                for ok in fits]

    def _ner_listens(self) -> bool:
        """Whether the recogniser reads the shared tok2vec's output (spaCy's small English
        model gives it an embedding of its own: then the shared one need not run first)."""
        if self._listens is None:
            self._listens = self.nlp.has_pipe("ner") and any(
                isinstance(layer, Tok2VecListener)
                for layer in self.nlp.get_pipe("ner").model.walk())
        return self._listens

    def match(self, doc: Doc) -> list[tuple[Span, float]]:
        seen: dict[str, tuple[Span, float]] = {}
        if doc._.named_to is not None:  # only where names were looked for
            doc = doc[:doc._.named_to].as_doc(copy_user_data=True)
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


def noun_phrases(doc: Doc) -> list[Span]:
    """Each longest run of adjectives and nouns, up to its last noun: "expense report",
    "new hire onboarding checklist"; a run with no noun ("quick and easy") is none."""
    spans, start, head = [], None, None
    for tok in [*doc, None]:
        if tok is not None and tok.pos_ in PHRASE_POS:
            start = tok.i if start is None else start
            head = tok.i if tok.pos_ in HEAD_POS else head
            continue
        if start is not None and head is not None:
            spans.append(doc[start:head + 1])
        start = head = None
    return spans
