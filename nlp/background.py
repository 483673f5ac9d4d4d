"""How common a word is in English at large, so that a library's own words stand out.

"Policy", "ticket" and "training" are everyday words that a football club, a car review and a
marathon plan use too; "reimbursement", "postmortem" and "onboarding" are not. What marks a page
as work the library speaks to is how much more often its words occur in the library than in
general English. General English frequencies come from the wordfreq package (an installed table
of word frequencies: nothing is fetched at run time).

A library of a few short pages has not had the chance to use most words, so its counts lean on
what a large workplace library uses (Workplace: how often the reference library, ten thousand
handbook, policy and training documents, uses each word; written by `jitlearn words` and
shipped), not on English: on day one "reimbursement" is already a work word.
"""

import json
import logging
import math
import re
from functools import cache
from pathlib import Path

import numpy as np
from wordfreq import word_frequency

log = logging.getLogger(__name__)

FLOOR = 1e-8  # a word English never uses is as rare as this
WORD = re.compile(r"[^\W\d_]{3,}")
LIMIT = 5.0  # one word's log ratio counts at most this much
PRIOR_WORDS = 10_000  # the weight of the prior's share in the library's (see affinity)
WORKPLACE = Path(__file__).parent / "data" / "workplace-words.json"
MIN_USES = 5  # words the workplace library used fewer times are left to English
MIN_SOURCES = 3  # ... and words fewer of its sources used (one organisation's names)


def words(text: str) -> list[str]:
    """Lower-case words of three letters or more, numbers and punctuation left out."""
    return WORD.findall(text.lower())


def affinity(uses: float, total: float, word: str, prior: float | None = None) -> float:
    """log(the word's share of the library's words / its share of English words), clipped to
    +-LIMIT: above 0 the library uses the word more than English does.

    The library's share is smoothed towards the prior's (a Dirichlet prior of PRIOR_WORDS
    words): the word's share of a large workplace library's words (Workplace.share), else of
    English's. A library of a few pages knows little either way, so its ratios stay near the
    workplace library's; one of millions of words speaks for itself."""
    english = max(word_frequency(word, "en"), FLOOR)
    center = english if prior is None else prior
    share = (uses + PRIOR_WORDS * center) / (total + PRIOR_WORDS)
    return max(-LIMIT, min(LIMIT, math.log(max(share, FLOOR) / english)))


class Workplace:
    """How often a large workplace library uses each of its words (index terms), and all its
    words: the prior of a small library's counts (affinity)."""

    def __init__(self, uses: dict[str, int], words: float):
        self.uses, self.words = uses, words

    def share(self, term: str) -> float | None:
        """The term's share of the workplace library's words; None for a word it rarely used
        (fewer than MIN_USES times): left to English."""
        n = self.uses.get(term)
        return n / self.words if n and self.words else None

    @classmethod
    def of(cls, profiles) -> "Workplace":
        """From a library's profiles (index/profiles.py): its words of letters only (what
        pages' words are matched against) that it used at least MIN_USES times, in documents
        of at least MIN_SOURCES of its sources: what workplaces write, not one organisation's
        names for its people and projects."""
        if not profiles.n:
            return cls({}, 0.0)
        names, source_of = np.unique([m.get("source", "") for m in profiles.meta],
                                     return_inverse=True)
        pairs = []  # (term, source) of every posting, as one number
        for post in profiles.fields.values():
            terms = np.repeat(np.arange(len(post.offsets) - 1), np.diff(post.offsets))
            pairs.append(terms.astype(np.int64) * len(names) + source_of[post.docs])
        sources = np.bincount(np.unique(np.concatenate(pairs)) // len(names),
                              minlength=len(profiles.term_ids))
        return cls.of_counts({t: float(profiles.uses[k]) for t, k in profiles.term_ids.items()},
                             {t: int(sources[k]) for t, k in profiles.term_ids.items()},
                             float(profiles.words))

    @classmethod
    def of_counts(cls, uses: dict[str, float], sources: dict[str, int],
                  words: float) -> "Workplace":
        """From each term's uses and the number of sources using it, and all the words."""
        kept = {t: int(round(n)) for t, n in uses.items()
                if n >= MIN_USES and sources.get(t, 0) >= MIN_SOURCES and t.isalpha()}
        return cls(dict(sorted(kept.items())), words)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"words": self.words, "uses": self.uses},
                                   separators=(",", ":")) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = WORKPLACE) -> "Workplace":
        """The table at path; an empty one (English alone) when it is missing or unreadable."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls({str(t): int(n) for t, n in data["uses"].items()},
                       float(data["words"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("%s: not a word table (%s); a small library's words are weighed "
                        "against English alone", path, exc)
            return cls({}, 0.0)


@cache
def workplace() -> Workplace:
    """The shipped table, read once per process."""
    return Workplace.load()
