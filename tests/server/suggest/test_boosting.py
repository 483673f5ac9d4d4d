"""The tree ranker: it learns what a straight line cannot, the same way every time, and keeps."""

import numpy as np
import pytest

from index.profiles import FEATURES
from server.suggest import boosting
from server.suggest.evaluation import score
from server.suggest.ranker import Model, ModelError, Sum

NAMES = ["match", "noise"]


def page(rng, n=40):
    """Candidates whose good ones have a middling "match": too little is off-topic, too much
    is a near-copy of the page (a template, a form) rather than something to learn from."""
    x = rng.random((n, 2))
    grades = np.where(np.abs(x[:, 0] - 0.5) < 0.1, 2.0, 0.0)
    return x, grades


def ndcg_at_5(scores, grades):
    """The evaluation's own nDCG@5 of one page ranked by these scores."""
    judged = {"id": "p", "relevant": {f"d{i}": int(g) for i, g in enumerate(grades) if g}}
    return score([judged], {"p": [f"d{i}" for i in np.argsort(-scores)]})["ndcg@5"]


def test_trees_learn_a_middle_band_on_pages_they_never_saw():
    rng = np.random.default_rng(3)
    model = boosting.fit(NAMES, [page(rng) for _ in range(30)])
    held = [page(rng) for _ in range(20)]
    learned = np.mean([ndcg_at_5(model(x), g) for x, g in held])
    straight = max(np.mean([ndcg_at_5(sign * x[:, 0], g) for x, g in held]) for sign in (1, -1))
    assert learned > 0.9 and straight < 0.6  # no weight on "match" alone orders these pages


def test_the_fit_is_the_same_every_time():
    pages = [page(np.random.default_rng(n)) for n in range(10)]
    assert boosting.fit(NAMES, pages).trees == boosting.fit(NAMES, pages).trees


def test_pages_without_a_better_candidate_teach_nothing_and_score_nothing():
    flat = [(np.random.default_rng(n).random((20, 2)), np.zeros(20)) for n in range(10)]
    model = boosting.fit(NAMES, flat)
    assert model.trees == [] and not model(flat[0][0]).any()


def test_a_saved_tree_ranker_scores_the_same_when_loaded(tmp_path):
    rng = np.random.default_rng(5)
    pages = []
    for _ in range(20):
        x = rng.random((30, len(FEATURES)))
        pages.append((x, np.where(x[:, FEATURES.index("coverage")] > 0.7, 3.0, 0.0)))
    model = Model.neutral()
    model.ranker = Sum(model.ranker, boosting.fit(list(FEATURES), pages))
    model.save(tmp_path / "ranker.json")
    loaded = Model.load(tmp_path / "ranker.json")
    assert isinstance(loaded.ranker, Sum) and loaded.ranker.trees.trees
    x = rng.random((50, len(FEATURES)))
    assert np.allclose(loaded.score(x), model.score(x))


def test_a_tree_that_names_no_feature_is_refused_when_loaded(tmp_path):
    model = Model.neutral()
    model.ranker = Sum(model.ranker, boosting.Trees(list(FEATURES),
                                                    [[99, 0.5, -1, 0, -1, 0, 1, 1, 0, 0]]))
    model.save(tmp_path / "ranker.json")
    with pytest.raises(ModelError, match="not a ranking model"):
        Model.load(tmp_path / "ranker.json")
