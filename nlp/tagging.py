"""Auto-tagging: which taxonomy topics a document is about, from where their words appear."""

import math
from collections import Counter
from pathlib import Path

from .pipeline import build_tagger

# Where a topic's words appear says whether the document is *about* it or only mentions it. The
# title and the L&D team's tags name the subject (one hit: 0.78), the file path files it (0.53),
# headings and summary outline it (0.22 each), the body mentions in passing (ten mentions: 0.22).
# Ranking leans on subjects, so a long page that mentions everything does not outrank the page
# whose subject the person's work is.
PART_WEIGHTS = {"title": 3.0, "tags": 3.0, "path": 1.5, "headings": 0.5, "summary": 0.5,
                "body": 0.05}
CAPS = {"body": 10, "headings": 3, "tags": 2}  # hits counted per part; others count once
MIN_WEIGHT = 0.2
# The body counts for little (at most 0.22), and spaCy's tokenizer is the slowest step of ingest:
# the first 5,000 characters say what a page mentions.
BODY_CHARS = 5_000


class DocumentTagger:
    """Tags documents with taxonomy topics; a blank pipeline, cheap enough for whole libraries."""

    def __init__(self, taxonomy_path: str | Path | None = None):
        self.nlp = build_tagger(taxonomy_path)
        self.matcher = self.nlp.get_pipe("taxonomy_matcher")

    def tag(self, title: str, headings: list[str], summary: str, body: str,
            path: str = "", tags: list[str] | None = None) -> dict[str, float]:
        """{topic: 0..1}; path is the file path in words ("time off and absence leave types")."""
        parts = {"title": title, "tags": "\n".join(tags or []), "path": path,
                 "headings": "\n".join(headings), "summary": summary, "body": body[:BODY_CHARS]}
        raw: Counter = Counter()
        for name, text in parts.items():
            if not text:
                continue
            doc = self.nlp.make_doc(text)
            counts = Counter(topic for topic, _, _ in self.matcher.match(doc))
            cap = CAPS.get(name, 1)
            for topic, n in counts.items():
                raw[topic] += PART_WEIGHTS[name] * min(n, cap)
        weights = {t: round(1 - math.exp(-r / 2), 3) for t, r in raw.items()}
        return dict(sorted(((t, w) for t, w in weights.items() if w >= MIN_WEIGHT),
                           key=lambda x: -x[1]))
