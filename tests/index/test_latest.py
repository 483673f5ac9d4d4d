"""A commit elsewhere is read beside the profiles in use; this process's own is read at once."""

import threading
import time

import pytest

import index.latest as latest
from index import ContentIndex, Document, SearchRequest


def doc(i: int, title: str) -> Document:
    return Document(id=f"t:{i}.md", source="t", title=title, body=title, summary=title)


def found(ix: ContentIndex, word: str) -> list[str]:
    return sorted(h.id for h in ix.rank(SearchRequest(words=[(word, 1.0)])))


@pytest.fixture
def slow_reading(monkeypatch):
    """Reading a generation takes as long as a large library's does (seconds): the part of
    the test that is simulated, since the test's library is small."""
    gate = threading.Event()
    real = latest.Profiles

    def slow(*args, **kwargs):
        profiles = real(*args, **kwargs)
        gate.wait(10)
        return profiles

    monkeypatch.setattr(latest, "Profiles", slow)
    yield gate
    gate.set()


def test_a_sync_in_another_process_is_read_beside_the_library_in_use(tmp_path, slow_reading):
    server, sync = ContentIndex(tmp_path), ContentIndex(tmp_path)  # two processes' views
    sync.add([doc(1, "Parental leave")])
    slow_reading.set()
    assert found(server, "leave") == ["t:1.md"]  # the first reading is waited for
    slow_reading.clear()
    sync.add([doc(2, "Sick leave")])
    started = time.monotonic()
    assert found(server, "leave") == ["t:1.md"]  # the generation in use, meanwhile
    assert found(server, "leave") == ["t:1.md"]
    assert time.monotonic() - started < latest.REFRESH_WAIT + 1.0  # not the whole reading
    slow_reading.set()
    server.latest._refresh.join(10)
    assert found(server, "leave") == ["t:1.md", "t:2.md"]  # then the new one


def test_a_small_library_s_new_generation_is_ready_for_the_request_that_noticed_it(tmp_path):
    server, sync = ContentIndex(tmp_path), ContentIndex(tmp_path)
    sync.add([doc(1, "Parental leave")])
    assert found(server, "leave") == ["t:1.md"]
    sync.add([doc(2, "Sick leave")])
    assert found(server, "leave") == ["t:1.md", "t:2.md"]


def test_what_this_process_commits_is_read_at_once(tmp_path, slow_reading):
    ix = ContentIndex(tmp_path)
    ix.add([doc(1, "Parental leave")])
    slow_reading.set()
    assert found(ix, "leave") == ["t:1.md"]
    slow_reading.clear()
    threading.Timer(0.8, slow_reading.set).start()  # longer than a noticed refresh waits
    ix.add([doc(2, "Sick leave")])
    assert found(ix, "leave") == ["t:1.md", "t:2.md"]  # an edit is seen by the next request


def test_a_generation_that_cannot_be_read_leaves_the_one_in_use_serving(tmp_path, monkeypatch,
                                                                        caplog):
    server, sync = ContentIndex(tmp_path), ContentIndex(tmp_path)
    sync.add([doc(1, "Parental leave")])
    assert found(server, "leave") == ["t:1.md"]

    def broken(*args, **kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(latest, "Profiles", broken)
    sync.add([doc(2, "Sick leave")])
    assert found(server, "leave") == ["t:1.md"]
    assert found(server, "leave") == ["t:1.md"]
    assert caplog.text.count("could not be read") == 1  # tried again later, not per request
    monkeypatch.undo()  # the disk is back
    monkeypatch.setattr(latest, "RETRY_AFTER", 0.0)  # and the while has passed
    assert found(server, "leave") == ["t:1.md", "t:2.md"]


def test_an_empty_library_is_read_once(tmp_path):
    ix = ContentIndex(tmp_path)
    assert ix.doc_count() == 0 and ix.doc_count() == 0
    assert ix.latest._refresh is None  # nothing new to read in the background


def test_a_library_search_while_another_process_s_commit_is_being_read(tmp_path, slow_reading):
    server, sync = ContentIndex(tmp_path), ContentIndex(tmp_path)
    sync.add([doc(1, "Parental leave")])
    slow_reading.set()
    assert [h.id for h in server.browse("leave")[1]] == ["t:1.md"]
    slow_reading.clear()
    sync.add([doc(2, "Sick leave"), doc(3, "Leave leave leave")])
    # the search runs on the new generation, the profiles in use are the one before: what
    # both know is listed, in the search's order
    assert [h.id for h in server.browse("leave")[1]] == ["t:1.md"]
    slow_reading.set()
    server.latest._refresh.join(10)
    assert server.browse("leave")[0] == 3
