from datetime import UTC, datetime, timedelta

from index import ContentIndex, Document, SearchRequest


def doc(i, **kw):
    return Document(id=f"s:{i}.md", source="s", title="Travel policy", body="Book travel.", **kw)


def test_overdue_review_is_listed_for_its_owner_and_ranks_lower(tmp_path):
    ix = ContentIndex(tmp_path)
    past = datetime.now(UTC) - timedelta(days=3)
    ix.add([doc("old", owner="fin-team", review_by=past), doc("fresh", owner="fin-team")])
    stale = ix.stale(365, owner="fin-team")
    assert [s["id"] for s in stale] == ["s:old.md"] and "review was due" in stale[0]["reason"]
    assert ix.stale(365, owner="someone-else") == []
    request = SearchRequest(words=[("travel", 1.0)])
    ranked = ix.rank(request, stale_factor=0.85)
    assert [h.id for h in ranked] == ["s:fresh.md", "s:old.md"]
    assert ranked[1].score < ranked[0].score


def test_content_unchanged_for_the_configured_age_is_stale(tmp_path):
    ix = ContentIndex(tmp_path)
    ix.add([doc("a")])
    assert ix.stale(365) == []
    assert [s["reason"].split()[0] for s in ix.stale(-1)] == ["unchanged"]  # any age counts
