import io
import re

import pytest

from index import ContentIndex, Progress, ingest_dir
from index.formats import check_template

from .conftest import fake_tagger, write


def test_resync_updates_changed_files_and_removes_deleted_ones(tmp_path):
    src, ix = tmp_path / "src", ContentIndex(tmp_path / "ix")
    write(src, "a.md", "# A\nExpense rules.")
    write(src, "sub/b.md", "# B\nTravel rules.")
    write(src, "c.txt", "C\nLeave rules.")
    first = ingest_dir(ix, "hr", src, fake_tagger)
    assert (first.added, first.updated, first.deleted) == (3, 0, 0)
    assert ix.get("hr:sub/b.md").title == "B"  # POSIX relative path in the id
    assert ix.get("hr:a.md").topics == {"expenses": 0.9}

    write(src, "sub/b.md", "# B2\nTravel rules, revised.")
    (src / "c.txt").unlink()
    second = ingest_dir(ix, "hr", src, fake_tagger)
    assert (second.added, second.updated, second.unchanged, second.deleted) == (0, 1, 1, 1)
    assert ix.get("hr:sub/b.md").title == "B2" and ix.get("hr:c.txt") is None
    assert ix.doc_count() == 2


def test_a_full_reindex_retags_unchanged_files(tmp_path):
    src, ix = tmp_path / "src", ContentIndex(tmp_path / "ix")
    write(src, "a.md", "# A\nExpense rules.")
    ingest_dir(ix, "hr", src, fake_tagger)
    retagged = ingest_dir(ix, "hr", src, lambda d: {"travel": 0.5}, full=True)
    assert (retagged.updated, retagged.unchanged) == (1, 0)
    assert ix.get("hr:a.md").topics == {"travel": 0.5} and ix.doc_count() == 1


def test_one_unreadable_file_is_reported_and_the_rest_indexed(tmp_path):
    src, ix = tmp_path / "src", ContentIndex(tmp_path / "ix")
    write(src, "good.md", "# Good\nfine")
    (src / "bad.md").write_bytes(b"\x00\x00binary junk")
    report = ingest_dir(ix, "s", src, fake_tagger)
    assert report.added == 1
    assert report.failed and report.failed[0][0] == "bad.md" and "binary" in report.failed[0][1]


def test_sources_do_not_touch_each_other(tmp_path):
    ix = ContentIndex(tmp_path / "ix")
    write(tmp_path / "one", "x.md", "# One")
    write(tmp_path / "two", "x.md", "# Two")
    ingest_dir(ix, "one", tmp_path / "one", fake_tagger)
    ingest_dir(ix, "two", tmp_path / "two", fake_tagger)
    (tmp_path / "one" / "x.md").unlink()
    ingest_dir(ix, "one", tmp_path / "one", fake_tagger)
    assert ix.get("two:x.md") is not None and ix.get("one:x.md") is None


def test_progress_bar_draws_on_a_terminal_only():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = Progress(2, "docs", stream=stream)
        bar.step()
        bar.step()
        bar.done()
    assert "2/2" in tty.getvalue() and "#" in tty.getvalue()
    assert pipe.getvalue() == ""


def test_worker_processes_give_the_same_result(tmp_path, monkeypatch):
    import index.ingest

    monkeypatch.setattr(index.ingest, "PARALLEL_FROM", 1)
    src = tmp_path / "src"
    for i in range(12):
        write(src, f"d{i}.md", f"# Doc {i}\n{'Expense' if i % 2 else 'Travel'} rules.")
    (src / "bad.md").write_bytes(b"\x00\x00")
    one = ingest_dir(ContentIndex(tmp_path / "a"), "s", src, fake_tagger, workers=1)
    two = ingest_dir(ContentIndex(tmp_path / "b"), "s", src, fake_tagger, workers=2)
    assert (one.added, one.failed) == (two.added, two.failed) == (12, [("bad.md", "binary file, "
                                                                        "not text")])
    assert ContentIndex(tmp_path / "b").get("s:d1.md").topics == {"expenses": 0.9}


def test_a_catalog_row_that_disappears_is_withdrawn(tmp_path):
    src, ix = tmp_path / "src", ContentIndex(tmp_path / "ix")
    write(src, "catalog.csv", "id,title,description\nc1,Negotiation,Deals.\nc2,Privacy,Data.\n")
    first = ingest_dir(ix, "lms", src, fake_tagger)
    assert first.added == 2 and ix.get("lms:catalog.csv#c2").title == "Privacy"
    write(src, "catalog.csv", "id,title,description\nc1,Negotiation skills,Deals.\n")
    second = ingest_dir(ix, "lms", src, fake_tagger)
    assert (second.updated, second.deleted) == (1, 1)
    assert ix.get("lms:catalog.csv#c2") is None
    assert ix.get("lms:catalog.csv#c1").title == "Negotiation skills"
    assert ingest_dir(ix, "lms", src, fake_tagger).unchanged == 1


def test_an_interrupted_run_keeps_its_committed_batches_and_the_next_run_finishes(tmp_path):
    import pytest

    src, ix = tmp_path / "src", ContentIndex(tmp_path / "ix")
    for i in range(7):
        write(src, f"{i}.md", f"---\ntitle: Policy {i}\ntype: policy\n---\nExpense rule {i}.")

    class Stop(BaseException):  # an interrupt (Ctrl-C, a shutdown), not one file's failure
        pass

    def tagger_that_dies_at_the_sixth(doc):
        if doc.title == "Policy 5":
            raise Stop
        return fake_tagger(doc)

    with pytest.raises(Stop):
        ingest_dir(ix, "hr", src, tagger_that_dies_at_the_sixth, batch=2)
    assert ix.doc_count() == 4  # two batches of two committed; the fifth document was not
    finished = ingest_dir(ix, "hr", src, fake_tagger, batch=2)
    assert (finished.unchanged, finished.added) == (4, 3)
    assert len(finished.versions) == 7  # every policy, for the database to reconcile


def test_a_source_address_template_gives_every_document_an_address_its_own_url_wins(tmp_path):
    src, ix = tmp_path / "src", ContentIndex(tmp_path / "ix")
    write(src, "finance/expense policy.md", "# Expenses\nExpense rules.")
    write(src, "finance/_index.md", "# Finance\nThe finance handbook.")
    write(src, "own.md", "---\nurl: https://wiki.example.com/own-page\n---\n# Own\nIts own page.")
    ingest_dir(ix, "hb", src, fake_tagger,
               url_template="https://handbook.example.com/{path}/ ({stem}, {id})")
    assert ix.get("hb:finance/expense policy.md").url == (
        "https://handbook.example.com/finance/expense%20policy/ "
        "(expense%20policy, hb:finance/expense%20policy.md)")
    assert ix.get("hb:finance/_index.md").url.startswith("https://handbook.example.com/finance/ ")
    assert ix.get("hb:own.md").url == "https://wiki.example.com/own-page"
    # {file}: the path as it is, extension and all, as a repository's file view wants it
    ingest_dir(ix, "hb", src, fake_tagger, full=True,
               url_template="https://github.com/acme/handbook/blob/main/{file}")
    assert ix.get("hb:finance/_index.md").url == (
        "https://github.com/acme/handbook/blob/main/finance/_index.md")
    assert ix.get("hb:finance/expense policy.md").url.endswith("/finance/expense%20policy.md")


@pytest.mark.parametrize("template, why", [
    ("handbook.example.com/{path}", "http(s) address"),
    ("javascript:alert(1)//{path}", "http(s) address"),
    ("https://h.example.com/{path.__class__}", "not {path.__class__}"),
    ("https://h.example.com/{name}", "not {name}"),
    ("https://h.example.com/{path!r}", "not {path!r}"),
    ("https://h.example.com/{path", "cannot be read"),
])
def test_a_template_that_is_not_a_safe_address_is_refused_with_the_reason(template, why):
    with pytest.raises(ValueError, match=re.escape(why)):
        check_template(template)
