import pytest

from nlp import Taxonomy, TaxonomyError


def test_builtin_taxonomy_is_broad_and_consistent():
    taxonomy = Taxonomy.load()
    assert len(taxonomy) >= 150
    assert all(t.parent is None or t.parent in taxonomy.topics for t in taxonomy.topics.values())
    assert sum(len(t.synonyms) for t in taxonomy.topics.values()) > 1000


@pytest.mark.parametrize("text, message", [
    ("- {id: a, label: A}\n- {id: a, label: B}\n", "appears twice"),
    ("- {id: a, label: A, parent: nope}\n", "unknown parent"),
    ("- {label: A}\n", "needs an id"),
    ("just a string", "expected a list"),
    ("- [unclosed\n", "cannot read"),
])
def test_broken_taxonomy_files_are_refused(tmp_path, text, message):
    path = tmp_path / "taxonomy.yaml"
    path.write_text(text)
    with pytest.raises(TaxonomyError, match=message):
        Taxonomy.load(path)
