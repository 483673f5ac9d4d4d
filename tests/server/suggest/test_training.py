"""Fitting the ranker and abstainer: folds over pages, a learned signal, the commands."""

import json
from collections import Counter

import numpy as np
import pytest
from click.testing import CliRunner

from index.profiles import FEATURES, PAGE_FEATURES, Candidates, Profiles
from nlp import Context
from server.cli import main
from server.suggest import training
from server.suggest.engine import Page
from server.suggest.ranker import Model, ModelError
from tests.conftest import SAMPLES

LIBRARY = Profiles([])  # the judged pages' candidates carry their own features


def sample(n: int, work: bool, rng) -> training.Sample:
    """A judged page whose good candidates are the ones with a high "coverage"."""
    matrix = rng.random((20, len(FEATURES))).astype(np.float32)
    grades = np.zeros(20)
    if work:
        best = np.argsort(-matrix[:, FEATURES.index("coverage")])[:3]
        grades[best] = [3, 2, 1]
    hits = [type("Hit", (), {"id": f"d{i}", "title": f"Doc {i}", "mandatory": False,
                             "type": "guide", "hash": "", "duration": 0, "topics": {}})()
            for i in range(20)]
    page_vector = rng.random(len(PAGE_FEATURES)).astype(np.float32)
    affinity = (2.0, 2.0, 0.9, 3.0) if work else (-1.0, -1.0, 0.2, 0.0)  # what tells them apart
    page = Page([], [], Candidates(np.arange(20), matrix, page_vector), hits,
                np.zeros(20), np.zeros(0), 0.0, affinity, Context(title=f"Page {n}"), LIBRARY)
    relevant = {f"d{i}": int(g) for i, g in enumerate(grades) if g}
    return training.Sample(f"p{n}", work, relevant, page, grades)


@pytest.fixture
def samples():
    rng = np.random.default_rng(7)
    return [sample(n, n % 5 != 0, rng) for n in range(40)]


def test_folds_cover_every_page_once_and_spread_the_off_work_ones(samples):
    folds = training.folds(samples, 5)
    assert sorted(i for f in folds for i in f) == list(range(40))
    off = [sum(not samples[i].work for i in f) for f in folds]
    assert sum(off) == 8 and max(off) - min(off) <= 1


class Choose:  # the engine's decisions without an index: the abstainer, the model's order
    def answer(self, model, features, found, concepts):
        return model.answer_probability(features) if found else 0.0

    def _choose(self, page, limit, acknowledged, personal, trace):
        order = np.argsort(-page.scores)[:limit]
        return [page.hits[i] for i in order]


def test_the_fitted_ranker_learns_the_signal_and_holds_on_held_out_pages(samples):
    model = training.fit(samples)
    assert max(zip(model.ranker.linear.weights, FEATURES, strict=True))[1] == "coverage"
    roots = Counter(FEATURES[int(tree[0])] for tree in model.ranker.trees.trees)
    assert roots.most_common(1)[0][0] == "coverage"
    held, runs = training.cross_validate(Choose(), samples, 5)
    assert held["ndcg@5"] > 0.7 and held["p@1"] > 0.7  # 20 candidates, one signal in 29
    assert held["abstain_accuracy"] == 1.0 and held["answer_rate"] == 1.0
    assert runs["p0"] == [] and runs["p1"]  # an off-work page gets nothing


def test_a_card_s_score_is_its_chance_of_being_useful_on_pages_the_ranker_never_saw(samples):
    rows = []
    training.cross_validate(Choose(), samples, 5, held_out=rows)
    assert len(rows) == 10 * sum(s.work for s in samples)  # the first 10 of each work page
    model = training.fit(samples)
    model.usefulness = training.fit_usefulness(rows)
    assert [place for _, place, _ in rows[:10]] == list(range(10))
    p = np.array([model.useful(score, place, 0.0) for score, place, _ in rows])
    useful = np.array([u for _, _, u in rows])
    assert ((p > 0) & (p < 1)).all()
    assert abs(p.mean() - useful.mean()) < 0.03  # as often useful as it says, overall
    assert useful[p >= 0.5].mean() >= 0.5 > useful[p < 0.5].mean()  # and where it is sure
    top = max(score for score, _, _ in rows)
    assert model.useful(top, 0, top) > model.useful(top - 2, 0, top) > model.useful(top - 2, 5, top)
    cards = training.calibration(rows, model)  # what `jitlearn train` prints, card by card
    assert [c["card"] for c in cards] == [1, 2, 3]
    assert all(c["pages"] == sum(s.work for s in samples) for c in cards)
    assert all(abs(c["said"] - c["useful"]) < 0.15 for c in cards)
    # a card the judgments say nothing for either way cannot be calibrated
    assert training.fit_usefulness([(1.0, 0.0, True)]) is None
    assert training.fit_usefulness([]) is None


def test_a_model_made_for_other_features_is_refused(tmp_path):
    path = tmp_path / "old.json"
    model = Model.neutral()
    model.ranker.names = model.ranker.names[:-1]
    model.save(path)
    with pytest.raises(ModelError, match="made for other features"):
        Model.load(path)
    path.write_text("{nope")
    with pytest.raises(ModelError, match="not a ranking model"):
        Model.load(path)
    model = Model.neutral()
    model.usefulness = [1.0, float("nan"), 0.0]
    model.save(path)
    with pytest.raises(ModelError, match="usefulness is not three numbers"):
        Model.load(path)
    model.usefulness = None  # a file from before cards were calibrated: exp(score - best)
    model.save(path)
    assert Model.load(path).useful(1.0, 4, 3.0) == pytest.approx(np.exp(-2.0))


def test_train_fits_saves_and_the_server_uses_the_model(tmp_path, monkeypatch):
    monkeypatch.setenv("JITLEARN_HOME", str(tmp_path))
    monkeypatch.setenv("JITLEARN_LOG_LEVEL", "WARNING")
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", "--source", "samples", str(SAMPLES)]).exit_code == 0
    judged = tmp_path / "j.jsonl"
    pages = [("Expense report - Navan", "samples:policies/expenses.md"),
             ("Parental leave request", "samples:policies/parental-leave.md"),
             ("Report a phishing email", "samples:policies/incident-reporting.md"),
             ("Travel booking for a conference", "samples:policies/travel.md")]
    lines = [{"id": f"w{n}", "context": {"title": t}, "relevant": {d: 3}}
             for n, (t, d) in enumerate(pages)]
    lines += [{"id": f"o{n}", "context": {"title": t}, "expect_empty": True}
              for n, t in enumerate(["Chicken tikka masala recipe", "Champions League final"])]
    judged.write_text("".join(json.dumps(x) + "\n" for x in lines))
    result = runner.invoke(main, ["train", str(judged), "--folds", "2"])
    assert result.exit_code == 0, result.output
    assert "| in-sample (fitted on these pages) |" in result.output
    assert "| cross-validated (2 folds)" in result.output
    model = Model.load(tmp_path / "ranker.json")
    assert model.trained["judgments"] == 6 and model.trained["folds"] == 2
    assert set(model.trained["cross_validated"]) >= {"ndcg@5", "abstain_accuracy"}
    assert len(model.usefulness) == 3  # cards' scores calibrated on the held-out pages
    assert "card 1: says" in result.output and model.trained["cards"][0]["card"] == 1

    table = runner.invoke(main, ["eval", str(judged), "--cross-validate", "2"])
    assert table.exit_code == 0, table.output
    assert "jitlearn, empty taxonomy and rules, cross-validated (2 folds)" in table.output

    (tmp_path / "broken.json").write_text("[]")
    monkeypatch.setenv("JITLEARN_RANKER", str(tmp_path / "broken.json"))
    refused = runner.invoke(main, ["suggest", "Expense report"])
    assert refused.exit_code == 1 and "not a ranking model" in refused.output



def test_too_few_judgments_say_so_instead_of_failing_half_way(samples):
    with pytest.raises(training.TrainingError, match="5 folds need at least 5 judged pages"):
        training.cross_validate(Choose(), samples[:3], 5)
    off_work = [s for s in samples if not s.work]
    with pytest.raises(training.TrainingError, match="nothing to learn the ranking from"):
        training.fit(off_work)


def test_a_document_nobody_judged_does_not_count_against_an_order_that_brings_it_up():
    """Two orders of one page's judged documents compare on those documents alone (condensed
    lists): an unjudged one lifted into the top five is no loss, a judged one pushed down is."""
    from server.suggest.evaluation import condensed, score

    judged = [{"id": "w", "relevant": {"a": 3, "b": 2, "c": 1, "x": 0}},
              {"id": "o", "relevant": {}, "expect_empty": True}]
    before = {"w": ["a", "b", "x", "c", "new"], "o": ["a"]}
    lifted = {"w": ["a", "b", "new", "x", "c"], "o": ["a"]}
    worse = {"w": ["a", "x", "b", "c"], "o": ["a"]}
    assert score(judged, lifted)["ndcg@5"] < score(judged, before)["ndcg@5"]  # plain scoring
    assert condensed(judged, lifted) == condensed(judged, before) == {
        "w": ["a", "b", "x", "c"], "o": ["a"]}  # an off-work page's answer stays wrong
    assert score(judged, condensed(judged, worse))["ndcg@5"] \
        < score(judged, condensed(judged, before))["ndcg@5"]
    assert score(judged, condensed(judged, before))["abstain_accuracy"] == 0.0
