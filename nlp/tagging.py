"""Auto-tagging: which taxonomy topics a document is about, from where their words appear."""

import math
from collections import Counter
from pathlib import Path

from .pipeline import build_tagger

# Where a topic's words appear says how central it is: the title names the subject, headings
# its parts, the body mentions in passing. One title hit tags a document (0.63); a topic seen
# only in the body needs five mentions before it counts.
PART_WEIGHTS = {"title": 3.0, "headings": 1.0, "summary": 1.0, "body": 0.3}
BODY_CAP = 8  # mentions counted in the body: a long page repeating a word is not more about it
HEADINGS_CAP = 3
MIN_WEIGHT = 0.3
# spaCy's tokenizer reads ~1 MB/s here; the first 20,000 characters carry a page's subject and
# keep tagging the 63 MB reference corpus under half a minute.
BODY_CHARS = 20_000


class DocumentTagger:
    """Tags documents with taxonomy topics; a blank pipeline, cheap enough for whole libraries."""

    def __init__(self, taxonomy_path: str | Path | None = None):
        self.nlp = build_tagger(taxonomy_path)
        self.matcher = self.nlp.get_pipe("taxonomy_matcher")

    def tag(self, title: str, headings: list[str], summary: str, body: str) -> dict[str, float]:
        parts = {"title": title, "headings": "\n".join(headings), "summary": summary,
                 "body": body[:BODY_CHARS]}
        raw: Counter = Counter()
        for name, text in parts.items():
            if not text:
                continue
            doc = self.nlp.make_doc(text)
            counts = Counter(topic for topic, _, _ in self.matcher.match(doc))
            cap = BODY_CAP if name == "body" else HEADINGS_CAP if name == "headings" else 1
            for topic, n in counts.items():
                raw[topic] += PART_WEIGHTS[name] * min(n, cap)
        weights = {t: round(1 - math.exp(-r / 3), 3) for t, r in raw.items()}
        return dict(sorted(((t, w) for t, w in weights.items() if w >= MIN_WEIGHT),
                           key=lambda x: -x[1]))
