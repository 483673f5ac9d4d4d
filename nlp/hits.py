"""Hits: what each pipeline component found, before topics are merged and weighed."""

from dataclasses import dataclass

from spacy.tokens import Doc

from .context import field_at

# Set on the Doc by extract_topics before the components run; components read them.
if not Doc.has_extension("url"):
    Doc.set_extension("url", default="")
if not Doc.has_extension("field_ranges"):
    Doc.set_extension("field_ranges", default=None)
if not Doc.has_extension("hits"):
    Doc.set_extension("hits", default=None)
if not Doc.has_extension("named_to"):  # names were looked for in doc[:named_to] (None: all)
    Doc.set_extension("named_to", default=None)


@dataclass
class Hit:
    """One piece of evidence for a topic: a phrase in a field, a URL rule, an entity."""

    topic: str  # taxonomy id, or "phrase:<words>" for keyphrases
    label: str
    weight: float  # before the field weight is applied
    evidence: str  # the words or rule that produced it, shown to the person
    kind: str  # taxonomy | rule | keyphrase
    field: str = "text"
    rule: str | None = None


def add_hits(doc: Doc, hits: list[Hit]) -> None:
    if doc._.hits is None:
        doc._.hits = []
    doc._.hits.extend(hits)


def field_of(doc: Doc, start_char: int) -> str:
    ranges = doc._.field_ranges
    return field_at(ranges, start_char) if ranges else "text"
