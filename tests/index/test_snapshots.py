"""Index snapshots: what a writer publishes a follower opens whole, and never writes."""

import pytest

from index import ContentIndex, IndexBusy, ingest_dir, snapshots

from .conftest import fake_tagger, write


def test_a_follower_opens_exactly_what_the_writer_published(tmp_path):
    src, store, local = tmp_path / "src", tmp_path / "shared", tmp_path / "local"
    writer = ContentIndex(tmp_path / "ix")
    write(src, "a.md", "# Expenses\nExpense rules.")
    ingest_dir(writer, "hr", src, fake_tagger)
    assert snapshots.current(store) is None
    first = snapshots.publish(writer, store)
    assert snapshots.current(store) == first
    assert snapshots.generation(first) == writer.ix.latest_generation()

    write(src, "b.md", "# Travel\nTravel rules.")
    ingest_dir(writer, "hr", src, fake_tagger)  # committed on the writer, not yet published
    follower = ContentIndex(snapshots.fetch(store, snapshots.current(store), local),
                            read_only=True)
    assert follower.doc_count() == 1 and follower.get("hr:a.md").title == "Expenses"

    second = snapshots.publish(writer, store)
    follower = ContentIndex(snapshots.fetch(store, second, local), read_only=True)
    assert follower.doc_count() == 2 and follower.get("hr:b.md") is not None
    with pytest.raises(IndexBusy, match="follows the index"):
        with follower.writer():
            pass


def test_an_unfinished_publish_is_never_current_and_old_snapshots_go(tmp_path):
    store, writer = tmp_path / "shared", ContentIndex(tmp_path / "ix")
    names = []
    for n in range(5):
        write(tmp_path / "src", f"{n}.md", f"# Doc {n}\nText {n}.")
        ingest_dir(writer, "hr", tmp_path / "src", fake_tagger)
        names.append(snapshots.publish(writer, store))
    (store / ".20990101T000000-000000000-g99.partial").mkdir()  # a publisher died mid-copy
    assert snapshots.current(store) == names[-1]
    kept = sorted(p.name for p in store.iterdir() if not p.name.startswith("."))
    assert kept == sorted([*names[-snapshots.KEEP:], snapshots.CURRENT])
