"""The real reference corpora (../shared/corpora): ingest all of it, then judge relevance.

Marked `corpus`: about two minutes. `make test` runs it; `pytest` alone skips it.
"""

import json

import pytest

from index import ContentIndex, ingest_dir
from server.engine import Engine
from server.evaluation import run_eval

pytestmark = pytest.mark.corpus
CAREER_DATA = ("onet-", "esco-")  # career data, not content: a later issue imports it


@pytest.fixture(scope="module")
def corpora(shared):
    if not (shared / "corpora").is_dir():
        pytest.skip(f"reference corpora not found at {shared / 'corpora'}")
    return shared / "corpora"


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory, tag, corpora):
    ix = ContentIndex(tmp_path_factory.mktemp("corpus-index"))
    sources = sorted(p for p in corpora.iterdir()
                     if p.is_dir() and not p.name.startswith(CAREER_DATA))
    reports = [ingest_dir(ix, src.name, src, tag) for src in sources]
    return ix, reports


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
    ix, _ = corpus_index
    run = tmp_path_factory.mktemp("dev-run") / "run.jsonl"
    metrics = run_eval(Engine(extractor, ix), shared / "eval" / "dev.jsonl", run)
    print(json.dumps(metrics))
    return metrics, run


def test_dev_judgments_hold_the_level_measured(dev_metrics):
    """A floor against regressions, a little under what `make eval` measured on 2026-11-30 on
    the 95 dev contexts: nDCG@5 0.370, P@1 0.468, recall@10 0.371, abstain 0.50."""
    metrics, run = dev_metrics
    assert metrics["contexts"] >= 95
    assert metrics["ndcg@5"] >= 0.35 and metrics["p@1"] >= 0.44
    assert metrics["recall@10"] >= 0.35 and metrics["abstain_accuracy"] >= 0.45
    assert len(run.read_text().splitlines()) == metrics["contexts"]


@pytest.mark.xfail(strict=True, reason="since the dev set grew from 27 to 95 contexts the engine "
                   "ranks below plain BM25 (nDCG@5 0.370 against 0.39); the relevance issue is "
                   "open, and this test passing (so failing as strict) says it is done")
def test_dev_judgments_beat_plain_full_text_search(dev_metrics):
    """Plain BM25 (../shared/eval/bm25_baseline.py) on the 95 dev contexts: nDCG@5 0.39, P@1
    0.44, recall@10 0.45, abstain 0.00."""
    metrics, _ = dev_metrics
    assert metrics["ndcg@5"] > 0.39 and metrics["p@1"] > 0.44 and metrics["recall@10"] > 0.45
    assert metrics["abstain_accuracy"] >= 0.75
