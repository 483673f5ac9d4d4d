"""How common a word is in English at large, so that a library's own words stand out.

"Policy", "ticket" and "training" are everyday words that a football club, a car review and a
marathon plan use too; "reimbursement", "postmortem" and "onboarding" are not. What marks a page
as work the library speaks to is how much more often its words occur in the library than in
general English. General English frequencies come from the wordfreq package (an installed table
of word frequencies: nothing is fetched at run time).
"""

import math
import re

from wordfreq import word_frequency

FLOOR = 1e-8  # a word English never uses is as rare as this
WORD = re.compile(r"[^\W\d_]{3,}")
LIMIT = 5.0  # one word's log ratio counts at most this much
PRIOR_WORDS = 10_000  # the weight of English's share in the library's (see affinity)


def words(text: str) -> list[str]:
    """Lower-case words of three letters or more, numbers and punctuation left out."""
    return WORD.findall(text.lower())


def affinity(uses: float, total: float, word: str) -> float:
    """log(the word's share of the library's words / its share of English words), clipped to
    +-LIMIT: above 0 the library uses the word more than English does.

    The library's share is smoothed towards English's (a Dirichlet prior of PRIOR_WORDS words):
    a library of a few pages has not had the chance to use most words, so it knows little
    either way, and its ratios stay near 0; one of millions of words speaks for itself."""
    english = max(word_frequency(word, "en"), FLOOR)
    share = (uses + PRIOR_WORDS * english) / (total + PRIOR_WORDS)
    return max(-LIMIT, min(LIMIT, math.log(max(share, FLOOR) / english)))
