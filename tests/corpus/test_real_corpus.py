"""The real reference corpora (../shared/corpora): ingest all of it, then judge relevance.

Marked `corpus`: about two minutes. `make test` runs it; `pytest` alone skips it.
"""

import json

import pytest

from index import ingest_dir
from server.suggest import training
from server.suggest.engine import Engine
from server.suggest.evaluation import condensed, load_judgments, run_eval, score

pytestmark = pytest.mark.corpus


def test_whole_corpus_ingests_and_says_why_a_file_was_skipped(corpus_index):
    ix, reports = corpus_index
    by_source = {r.source: r for r in reports}
    assert sum(r.added for r in reports) > 10_000
    assert ix.doc_count() == sum(r.added for r in reports)
    assert by_source["mit-ocw-catalog"].added >= 2590  # one course per catalog row
    assert by_source["mit-ocw-to-go-courses"].added >= 58  # one course per JSON file
    failed = [f for r in reports for f in r.failed]
    assert len(failed) < 5 and all(reason for _, reason in failed), failed


def test_judged_documents_exist_under_their_ids(corpus_index, shared):
    ix, _ = corpus_index
    judged = {d for line in (shared / "eval" / "dev.jsonl").read_text().splitlines()
              for d in json.loads(line).get("relevant", {})}
    missing = [d for d in judged if ix.get(d) is None]
    assert not missing, missing[:5]


def test_resync_of_an_unchanged_source_changes_nothing(corpus_index, tag, corpora):
    ix, _ = corpus_index
    src = corpora / "owasp-cheatsheets"
    report = ingest_dir(ix, src.name, src, tag)
    assert report.added == report.updated == report.deleted == 0 and report.unchanged > 100


@pytest.fixture(scope="module")
def dev_metrics(corpus_index, extractor, tmp_path_factory, shared):
    """The engine as installed: its model was fitted to these judgments (`make train`)."""
    ix, _ = corpus_index
    run = tmp_path_factory.mktemp("dev-run") / "run.jsonl"
    metrics = run_eval(Engine(extractor, ix), shared / "eval" / "dev.jsonl", run)
    print(json.dumps(metrics))
    return metrics, run


@pytest.fixture(scope="module")
def cross_validated(corpus_index, extractor, shared):
    """(taxonomy, no taxonomy) -> (in-sample, held-out) figures over 5 folds of pages."""
    ix, _ = corpus_index
    judgments = load_judgments(shared / "eval" / "dev.jsonl")
    out = {}
    for taxonomy in (True, False):
        engine = training.reader(extractor, ix, taxonomy)
        _, rows = training.train(engine, training.read_judgments(engine, judgments), 5)
        out[taxonomy] = (rows[0][1], rows[1][1])
        print(taxonomy, json.dumps(out[taxonomy]))
    return out


def test_dev_judgments_hold_the_level_measured(dev_metrics):
    """A floor against regressions, a little under what `make eval` measured on 2026-12-03 for
    the model as installed (fitted on these 95 pages, so in-sample): nDCG@5 0.531, P@1 0.696,
    recall@10 0.528, abstain 0.938, answer rate 0.987."""
    metrics, run = dev_metrics
    assert metrics["contexts"] >= 95
    assert metrics["ndcg@5"] >= 0.49 and metrics["p@1"] >= 0.62
    assert metrics["recall@10"] >= 0.49 and metrics["abstain_accuracy"] >= 0.85
    assert metrics["answer_rate"] >= 0.95
    assert len(run.read_text().splitlines()) == metrics["contexts"]


# Plain BM25F (../shared/eval/bm25_baseline.py) on the 95 dev contexts.
BM25F = {"ndcg@5": 0.3937, "p@1": 0.443, "recall@10": 0.4495}


def test_cross_validated_the_engine_beats_plain_full_text_search(cross_validated):
    """On pages its weights were not fitted to, with the curated taxonomy and without it
    (2026-12-03: 0.512 / 0.671 / 0.504, and 0.472 / 0.633 / 0.488 without; abstain 0.938 and
    answer rate 0.962 / 0.949)."""
    for taxonomy in (True, False):
        inside, held = cross_validated[taxonomy]
        assert all(held[k] > BM25F[k] for k in ("ndcg@5", "p@1", "recall@10")), (taxonomy, held)
        assert held["abstain_accuracy"] >= 0.85 and held["answer_rate"] >= 0.93
        assert inside["ndcg@5"] - held["ndcg@5"] <= 0.05  # not learning the judged pages


@pytest.mark.xfail(strict=True, reason="the relevance issue's finish line, not reached yet: "
                   "cross-validated nDCG@5 0.512 (target 0.55) and recall@10 0.504 (0.55) are "
                   "not; P@1 0.671, abstain 0.94, answer rate 0.96 and the lead over BM25F "
                   "(+0.118) are; this test passing (so "
                   "failing as strict) says it is done")
def test_cross_validated_the_engine_reaches_the_relevance_targets(cross_validated):
    _, held = cross_validated[True]
    assert held["ndcg@5"] >= 0.55 and held["p@1"] >= 0.60 and held["recall@10"] >= 0.55
    assert held["abstain_accuracy"] >= 0.90 and held["answer_rate"] >= 0.95
    assert held["ndcg@5"] >= BM25F["ndcg@5"] + 0.10


def test_a_skill_finds_content_in_its_own_sense_not_by_a_shared_stem(corpus_index, tmp_path):
    """The words of a skill mean one thing in a library of thousands of pages that use them in
    others: Excel is not a "Center of Excellence", budgeting is not an error budget."""
    from server.app import create_app
    from server.career.skills import teaching
    from server.state import runtime_of

    ix, _ = corpus_index
    app = create_app({"HOME": str(tmp_path), "MODEL": "", "TESTING": True})
    runtime_of(app).index = ix
    with app.app_context():
        excel = [h.title for h in teaching(app, "Excel", None)]
        budgeting = [h.title for h in teaching(app, "Budgeting", None)]
        delegation = [h.title for h in teaching(app, "Delegation", None)]
    assert not [t for t in excel if "excellen" in t.lower()], excel
    assert budgeting and not [t for t in budgeting if "error budget" in t.lower()], budgeting
    assert delegation and "delegat" in delegation[0].lower()


def test_a_profile_never_costs_relevance_on_the_judged_pages_with_one(corpus_index, extractor,
                                                                        shared, tmp_path):
    """Each judged page with a profile (role, goals, target role, tenure), answered as the API
    answers its person: the figures with the profile applied are never below those without,
    on the documents judged for each page (condensed lists). A goal lifts what builds it past
    what does not, and what it lifts may be a document the judges never saw, which plain
    scoring counts as useless: on 2026-12-03 a customer success manager's goal "learn how the
    team handles at-risk accounts" lifted an unjudged Gainsight dashboards guide from 6th to
    5th on a page about a red health score (nDCG@5 0.324 without, 0.323 with, on the 16
    pages); on the judged documents the two orders are the same."""
    from server.app import create_app
    from server.people.gaps import profile_signal
    from server.state import runtime_of
    from server.storage import db

    ix, _ = corpus_index
    app = create_app({"HOME": str(tmp_path), "MODEL": "", "TESTING": True})
    runtime_of(app).index = ix
    profiled = [j for j in load_judgments(shared / "eval" / "dev.jsonl")
                if isinstance(j.get("profile"), dict)]
    engine = Engine(extractor, ix)
    plain, personal = {}, {}
    with app.app_context():
        run_eval(engine, profiled, runs=plain)
        run_eval(engine, profiled, runs=personal, personalize=lambda p: profile_signal(
            app, db.session(), p))
    assert len(profiled) >= 10
    assert plain != personal, "no profile reorders anything: this test no longer measures"
    without = score(profiled, condensed(profiled, plain))
    applied = score(profiled, condensed(profiled, personal))
    for key in ("ndcg@5", "p@1", "recall@10"):
        assert applied[key] >= without[key], (key, applied, without)
    assert score(profiled, personal)["answer_rate"] >= score(profiled, plain)["answer_rate"]
