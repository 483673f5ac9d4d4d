"""A follower swaps in the writer's snapshots for as long as it runs, old ones pruned under it."""

from pathlib import Path

from index import ingest_dir, snapshots
from nlp import Context
from server.app import create_app
from server.content.follow import follow_once, publish_if_changed
from server.content.rulesets import builtin
from server.runtime import engine_of, index_of
from server.state import runtime_of
from server.storage.models import RuleVersion
from server.suggest.engine import Engine
from server.suggest.replay import draft_engine


def test_a_follower_keeps_answering_after_its_first_snapshots_are_pruned(tmp_path, extractor,
                                                                        tag):
    shared = tmp_path / "shared"
    writer = create_app({"HOME": str(tmp_path / "w"), "INDEX_SNAPSHOTS": str(shared),
                         "MODEL": "", "TESTING": True})
    follower = create_app({"HOME": str(tmp_path / "f"), "INDEX_SNAPSHOTS": str(shared),
                           "INDEX_FOLLOW": True, "TESTING": True})
    src = tmp_path / "src"
    src.mkdir()
    context = Context(title="Expense report for the client dinner",  # as the extension sends it
                      url="https://expenses.example.com/reports/new",
                      text="Submit the expense claim with the receipts for the team offsite.")
    first = None
    for n in range(snapshots.KEEP + 3):
        (src / f"policy-{n}.md").write_text(
            f"# Expense policy {n}\nClaims for client dinners and offsite receipts, rule {n}.")
        ingest_dir(index_of(writer), "hb", src, tag)
        assert publish_if_changed(writer, index_of(writer))
        if n == 0:  # the follower's engines start on the first snapshot
            runtime_of(follower).engine = Engine(extractor, index_of(follower))
            first = Path(index_of(follower).ix.storage.folder)
            draft = RuleVersion(status="draft", taxonomy=builtin(follower)[0],
                                rules=builtin(follower)[1])
            draft_engine(follower, draft)  # the rules' test bench keeps one too
        else:
            assert follow_once(follower)
        result = engine_of(follower).suggest(context)
        assert engine_of(follower).index.doc_count() == n + 1
        assert result.suggestions, n
    assert not first.exists()  # the first snapshot was pruned while the follower served
    assert draft_engine(follower, draft).suggest(context).suggestions
