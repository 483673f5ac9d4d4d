"""A library's words against English: a small library leans on what workplaces write."""

import logging

import pytest

from nlp import background


@pytest.mark.parametrize("word", ["jira", "zendesk", "sprint"])
def test_a_small_library_knows_work_words_it_has_never_used(engine, word):
    """The 67 sample documents never say these; a large workplace library says them far more
    than English does, and the sample library borrows that."""
    profiles = engine.index.profiles()
    assert profiles.uses_of(engine.index.terms(word)[0]) == 0
    assert engine.word_affinity(word, profiles) > 1.0
    assert engine.word_affinity("football", profiles) < 0  # nor this, but workplaces rarely do


def test_a_large_library_speaks_for_itself():
    """Millions of words outweigh the prior: the workplace table changes nothing there."""
    for uses, prior in ((0, 1e-4), (300, 1e-6), (3000, 1e-3)):
        with_prior = background.affinity(uses, 5e6, "policy", prior)
        assert with_prior == pytest.approx(background.affinity(uses, 5e6, "policy"), abs=0.05)


def test_an_unreadable_word_table_falls_back_to_english_and_says_so(tmp_path, caplog):
    broken = tmp_path / "words.json"
    broken.write_text('{"words": 10, "uses": ["not", "a", "table"]}', encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        table = background.Workplace.load(broken)
    assert table.share("polici") is None and "not a word table" in caplog.text
    assert background.Workplace.load(tmp_path / "missing.json").share("polici") is None


def test_the_shipped_table_holds_what_workplaces_share_not_one_organisations_names():
    table = background.workplace()
    assert len(table.uses) > 5000 and table.words > 1e6
    assert table.share("polici") and table.share("onboard")
    assert all(t.isalpha() and n >= background.MIN_USES for t, n in table.uses.items())
