import json

import pytest

from nlp import Context, RuleError, Taxonomy, TopicExtractor, load_rules
from nlp.rules import Rule


def write(tmp_path, rules):
    path = tmp_path / "rules.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rules))
    return path


def test_url_rule_matches_host_and_path_globs():
    rule = Rule.from_dict({"id": "r", "topic": "code-review", "kind": "url",
                           "host": "github.com", "path": "/*/pull/*"})
    assert rule.matches_url("https://github.com/acme/api/pull/12")
    assert not rule.matches_url("https://github.com/acme/api/issues/12")
    assert not rule.matches_url("not a url at all")


def test_custom_rules_fire_with_their_weight(tmp_path):
    path = write(tmp_path, [
        {"id": "tok-okr", "kind": "tokens", "topic": "goal-setting", "weight": 2.0,
         "pattern": [{"LOWER": "quarterly"}, {"LOWER": "bets"}]},
        {"id": "ent-partner", "kind": "entity", "label": "ORG", "texts": ["acme corp"],
         "topic": "partnerships", "weight": 0.2},
        {"id": "phrase-claims", "kind": "phrase", "phrase": "Claims Portal", "topic": "expenses"},
    ])
    extractor = TopicExtractor.build(rules_path=path)
    topics = {t.id: t for t in extractor.extract(
        Context(title="Quarterly bets review", text="Meeting notes with Acme Corp about pricing."))}
    assert topics["goal-setting"].rules == ["tok-okr"]
    assert topics["partnerships"].rules == ["ent-partner"]
    assert topics["goal-setting"].weight > 0.9 > 0.2 > topics["partnerships"].weight
    found = {t.id: t for t in extractor.extract(Context(title="Open the CLAIMS portal"))}
    assert found["expenses"].rules == ["phrase-claims"]


def test_a_regex_runs_in_linear_time_and_still_matches(tmp_path):
    import time

    path = write(tmp_path, [
        {"id": "trap", "kind": "tokens", "topic": "expenses",
         "pattern": [{"TEXT": {"REGEX": "(a|a)*b"}}]},  # backtracks for ever in Python's re
        {"id": "po", "kind": "tokens", "topic": "procurement",
         "pattern": [{"LOWER": {"REGEX": "^po-\\d{4,}$"}}]},
    ])
    extractor = TopicExtractor.build(model="", rules_path=path)
    started = time.monotonic()
    topics = extractor.extract(Context(title="a" * 28 + " " + "a" * 5000 + "c"))
    assert time.monotonic() - started < 2
    assert "expenses" not in {t.id for t in topics}
    found = {t.id: t for t in extractor.extract(Context(title="Approve PO-20931 today"))}
    assert found["procurement"].rules == ["po"]
    assert "expenses" in {t.id for t in extractor.extract(Context(title="aaab receipts"))}


def test_a_regex_re2_cannot_run_in_linear_time_is_refused(tmp_path):
    path = write(tmp_path, [{"id": "backref", "kind": "tokens", "topic": "expenses",
                             "pattern": [{"TEXT": {"REGEX": "(a)\\1"}}]}])
    with pytest.raises(RuleError, match="not supported"):
        TopicExtractor.build(model="", rules_path=path)


def test_entity_label_rule_fires_on_a_named_law(extractor):
    topics = {t.id: t for t in extractor.extract(
        Context(title="Timesheets", text="Overtime rules under the Fair Labor Standards Act."))}
    assert "ent-law" in topics["compliance"].rules
    assert "the Fair Labor Standards Act" in topics["compliance"].evidence


@pytest.mark.parametrize("bad, message", [
    ({"id": "x", "topic": "expenses"}, "missing kind"),
    ({"id": "x", "topic": "expenses", "kind": "regex"}, "kind must be one of"),
    ({"id": "x", "topic": "expenses", "kind": "url", "weight": "heavy"}, "weight must be a number"),
    ({"id": "x", "topic": "expenses", "kind": "tokens"}, "non-empty pattern"),
    ({"id": "x", "topic": "expenses", "kind": "phrase", "phrase": " "}, "needs a phrase"),
    ({"id": "x", "topic": "no-such-topic", "kind": "url"}, "unknown topic"),
])
def test_bad_rules_are_refused_with_the_reason(tmp_path, bad, message):
    with pytest.raises(RuleError, match=message):
        load_rules(write(tmp_path, [bad]), Taxonomy.load())


def test_rules_file_that_is_not_json_names_the_line(tmp_path):
    path = tmp_path / "rules.jsonl"
    path.write_text('{"id": "ok", "topic": "expenses", "kind": "url"}\n{oops\n')
    with pytest.raises(RuleError, match="rules.jsonl:2"):
        load_rules(path)


def test_default_rules_all_point_at_taxonomy_topics():
    assert len(load_rules(None, Taxonomy.load())) > 50
