"""Word meanings learned from the library: a page finds a document it shares no word with."""

import numpy as np

from index.semantic import Space

LIBRARY = [  # what a small handbook says, in its own words
    "burnout exhaustion overwork weekends tired",
    "burnout exhaustion stress rest recovery",
    "burnout overwork manager workload",
    "burnout recovery rest time off",
    "expense receipts reimbursement card",
    "expense travel receipts hotel",
    "expense reimbursement approval manager",
    "laptop password phishing security",
    "security incident phishing report",
    "security laptop encryption password",
]


def space(dimensions: int) -> tuple[Space, dict[str, int]]:
    vocab: dict[str, int] = {}
    terms, docs = [], []
    for d, text in enumerate(LIBRARY):
        for word in set(text.split()):
            terms.append(vocab.setdefault(word, len(vocab)))
            docs.append(d)
    terms, docs = np.array(terms), np.array(docs)
    df = np.bincount(terms, minlength=len(vocab))
    return Space(len(LIBRARY), len(vocab), terms, docs, np.ones(len(terms)), df,
                 dimensions=dimensions), vocab


def test_a_page_about_overwork_finds_the_burnout_guide_it_shares_no_word_with():
    sp, vocab = space(dimensions=3)
    near = sp.similarity([(vocab["recovery"], 1.0, 1.0)])
    # the first and third documents never say "recovery", but the library uses their words
    # with it: they come before every expense and security document
    assert min(near[[0, 2]]) > 0.5 > max(near[4:])


def test_a_library_of_a_few_pages_compares_words_directly():
    sp, vocab = space(dimensions=3)
    tiny = Space(2, 3, np.array([0, 1, 2]), np.array([0, 0, 1]), np.ones(3), np.ones(3))
    assert tiny.size == 0  # nothing to learn from two documents
    assert list(tiny.similarity([(2, 1.0, 1.0)])) == [0.0, 1.0]
    assert not tiny.similarity([(None, 1.0, 1.0)]).any()  # a word the library never uses
