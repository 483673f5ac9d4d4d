import subprocess
import sys
import textwrap

from index import ContentIndex, Document, SearchRequest


def doc(i, title, body="", topics=None):
    return Document(id=f"t:{i}.md", source="t", title=title, body=body, summary=body[:50],
                    topics=topics or {})


def test_search_and_rank_find_the_matching_document(tmp_path):
    ix = ContentIndex(tmp_path)
    ix.add([doc(1, "Parental leave", "Sixteen weeks of paid parental leave.", {"leave": 0.9}),
            doc(2, "Expense policy", "Receipts for every expense.", {"expenses": 0.9})])
    assert [h.id for h in ix.search(SearchRequest(words=[("parental", 1.0)]))] == ["t:1.md"]
    ranked = ix.rank(SearchRequest(words=[("receipts", 1.0)], topics=[("expenses", 1.0)]))
    assert ranked[0].id == "t:2.md" and ranked[0].topical > 0.5
    assert "Receipts" not in ranked[0].title  # stored fields come back intact
    assert ix.rank(SearchRequest(words=[("receipts", 1.0)], exclude={"t:2.md"})) == []


def test_delete_removes_from_search_and_profiles(tmp_path):
    ix = ContentIndex(tmp_path)
    ix.add([doc(1, "Parental leave"), doc(2, "Sick leave")])
    assert ix.delete(["t:1.md"]) == 1
    assert [h.id for h in ix.rank(SearchRequest(words=[("leave", 1.0)]))] == ["t:2.md"]


WRITER = textwrap.dedent("""
    import sys
    from index import ContentIndex, Document
    ix = ContentIndex(sys.argv[1])
    for round in range(3):
        ix.add([Document(id=f"t:{round}-{i}.md", source="t", title=f"Doc {i} leave")
                for i in range(40)])
""")


def test_searcher_sees_another_processs_commits_without_duplicates(tmp_path):
    """whoosh-reloaded's Searcher.refresh() returns duplicates after merges; we reopen instead."""
    ix = ContentIndex(tmp_path)
    ix.add([doc("seed", "Seed leave")])
    assert ix.doc_count() == 1  # holds a searcher open across the other process's commits
    subprocess.run([sys.executable, "-c", WRITER, str(tmp_path)], check=True)
    assert ix.doc_count() == 121
    ids = [h.id for h in ix.search(SearchRequest(words=[("leave", 1.0)], limit=500))]
    assert len(ids) == len(set(ids)) == 121
    assert len(ix.rank(SearchRequest(words=[("leave", 1.0)], limit=500))) == 121


def test_an_index_from_an_older_version_gains_new_fields_and_keeps_its_documents(tmp_path):
    from whoosh import index as whoosh_index

    from index import make_schema

    old = make_schema()
    old.remove("text")
    old.remove("proposed")
    w = whoosh_index.create_in(tmp_path, old, indexname="content").writer()
    w.add_document(id="t:old.md", source="t", title="Travel policy", hash="abc")
    w.commit()
    ix = ContentIndex(tmp_path)
    assert ix.get("t:old.md").title == "Travel policy"
    assert ix.document("t:old.md") is None  # no text kept yet: tagging it waits for a sync
    assert ix.hashes("t") == {"t:old.md": ""}  # so the next sync re-indexes it
    ix.add([doc(1, "Parental leave", "Sixteen weeks.", {"leave": 0.9})])
    rebuilt = ix.document("t:1.md")
    assert rebuilt.body == "Sixteen weeks." and rebuilt.topics == {"leave": 0.9}


def test_retag_changes_only_the_editable_fields(tmp_path):
    ix = ContentIndex(tmp_path)
    ix.add([doc(1, "Parental leave", "Sixteen weeks of paid leave.", {"leave": 0.9})])
    indexed = ix.get("t:1.md")
    assert ix.retag({"t:1.md": {"type": "policy", "topics": {"benefits": 1.0}}}) == ["t:1.md"]
    hit = ix.get("t:1.md")
    assert (hit.type, hit.topics, hit.proposed) == ("policy", {"benefits": 1.0}, {"leave": 0.9})
    assert hit.hash == indexed.hash
    assert [h.id for h in ix.search(SearchRequest(words=[("sixteen", 1.0)],
                                                  fields={"body": 1.0}))] == ["t:1.md"]
    ix.retag({"t:1.md": None})  # no manual tags: the source's values come back
    assert (ix.get("t:1.md").type, ix.get("t:1.md").topics) == ("", {"leave": 0.9})


def test_a_commit_that_fails_releases_the_lock_and_keeps_what_was_there(tmp_path, monkeypatch):
    from whoosh.writing import SegmentWriter

    ix = ContentIndex(tmp_path)
    ix.add([doc(1, "Parental leave", "Sixteen weeks.")])

    def broken(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(SegmentWriter, "commit", broken)
    try:
        ix.add([doc(2, "Sick leave")])
    except OSError:
        pass
    monkeypatch.undo()
    assert [h.id for h in ix.rank(SearchRequest(words=[("leave", 1.0)]))] == ["t:1.md"]
    ix.add([doc(3, "Bereavement leave")])  # the lock was let go: the next writer goes on
    assert ix.doc_count() == 2


def test_a_library_search_lists_every_match_best_first_after_deletions(tmp_path):
    ix = ContentIndex(tmp_path)
    ix.add([doc(i, f"Guide {i}", "expense " * i + "receipts") for i in range(1, 7)]
           + [doc(9, "Travel", "trains and hotels")])
    ix.delete(["t:2.md", "t:4.md"])  # gaps among the index's own document numbers
    total, hits, _ = ix.browse("expense")
    assert total == 4
    assert [h.id for h in hits] == ix.select("expense")[1] == ["t:6.md", "t:5.md", "t:3.md",
                                                                "t:1.md"]
    total, hits, _ = ix.browse("expense", offset=3)
    assert total == 4 and [h.id for h in hits] == ["t:1.md"]


def test_each_part_of_a_page_is_matched_on_its_own_whatever_else_the_page_says(tmp_path):
    """A part's features are its words' match alone, the same whether the page says much
    else or not, and also for a word of the part the page's whole query left out."""
    from index.profiles import FEATURES, PARTS
    ix = ContentIndex(tmp_path)
    ix.add([doc(1, "Expense policy", "Receipts for every expense over 25 euros, filed monthly."),
            doc(2, "Travel booking", "Book flights and hotels; keep receipts for travel."),
            doc(3, "Parental leave", "Sixteen weeks of paid parental leave for every parent."),
            doc(4, "Monthly close", "Finance closes the books monthly; accruals filed.")])
    words = [("receipt", 1.0), ("expens", 2.0), ("travel", 1.0), ("leav", 1.0)]
    parts = {"subject": [("expens", 1.0)], "outline": [("receipt", 1.0), ("monthli", 1.0)],
             "text": [("travel", 1.0), ("leav", 1.0)], "concepts": []}

    def features(words, parts):
        found, hits = ix.candidates(SearchRequest(words=words, parts=parts), pool=10)
        return {h.id: dict(zip(FEATURES, row.tolist(), strict=True))
                for h, row in zip(hits, found.matrix, strict=True)}

    whole = features(words, parts)  # "monthli" is in the outline, not in the whole query
    assert whole["t:4.md"]["outline_body"] > 0  # found by the outline's word alone
    for part in PARTS:
        alone = features(parts[part] or words, {part: parts[part]})
        for doc_id, row in whole.items():
            for name in ("title", "headings", "body", "path"):
                key = f"{part}_{name}"
                expected = alone[doc_id][key] if doc_id in alone else 0.0
                assert abs(row[key] - expected) < 1e-5, (doc_id, key, row[key], expected)
