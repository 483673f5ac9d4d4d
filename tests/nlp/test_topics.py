import pytest

from nlp import Context, TopicExtractor, extract_topics
from nlp.context import site_names


def ids(topics):
    return [t.id for t in topics]


def test_expense_page_is_about_expenses_with_evidence(extractor):
    topics = extractor.extract(Context(title="Expense report - Navan",
                                       url="https://app.navan.com/expenses/new"))
    expenses = next(t for t in topics if t.id == "expenses")
    assert topics[0].id == "expenses"
    assert "Expense report" in expenses.evidence
    assert "url-expense-tools" in expenses.rules  # the URL rule fired and says so
    assert 0 < expenses.weight <= 1


def test_parent_topic_gets_a_share_and_says_via(extractor):
    topics = {t.id: t for t in extractor.extract(Context(title="Parental leave request"))}
    assert topics["parental-leave"].weight > topics["people"].weight
    assert topics["leave"].weight > 0


def test_off_topic_page_has_no_workplace_topics(extractor):
    for title in ("Premier League results - BBC Sport", "How to prune tomato plants",
                  "London weather forecast - Met Office"):
        concepts = [t for t in extractor.extract(Context(title=title)) if t.kind != "keyphrase"]
        assert concepts == [], title


def test_site_name_in_title_weighs_less_than_the_subject(extractor):
    topics = {t.id: t for t in extractor.extract(
        Context(title="Password reset flow - Figma"))}
    assert topics["passwords"].weight > topics["collaboration-tools"].weight


def test_keyphrases_carry_their_words(extractor):
    topics = extractor.extract(Context(title="Quarterly roadmap for the billing platform",
                                       text="We migrate invoices to the new ledger service."))
    phrases = [t for t in topics if t.kind == "keyphrase"]
    assert phrases and all(t.id.startswith("phrase:") and t.evidence for t in phrases)


def test_lemma_matching_finds_inflected_multiword_phrases(extractor):
    topics = ids(extractor.extract(Context(title="Submitting my expense reports late")))
    assert "expenses" in topics


def test_plural_forms_match_without_the_trained_pipeline():
    blank = TopicExtractor.build(model="")
    assert blank.info.degraded
    assert "expenses" in ids(blank.extract(Context(title="Two expense reports pending")))


def test_missing_model_runs_degraded_and_says_why():
    degraded = TopicExtractor.build(model="no_such_pipeline_xx")
    assert degraded.info.degraded and "not installed" in degraded.info.reason
    assert "passwords" in ids(degraded.extract(Context(title="Reset your password")))


def test_extract_topics_accepts_a_plain_dict():
    assert "leave" in ids(extract_topics({"title": "Request time off"}))


def test_a_name_is_not_a_topic(extractor):
    topics = ids(extractor.extract(Context(title="Taylor Swift tour tickets")))
    assert "mobile-development" not in topics


def test_a_persons_name_is_never_evidence_or_a_phrase(extractor):
    """spaCy's PERSON entities: nothing derived from a context carries a colleague's name."""
    topics = extractor.extract(Context(
        title="1:1 notes with Priya Raman", headings=["Expense report for Daniel Okafor"],
        text="Priya Raman asked Daniel Okafor to submit the expense report before Friday."))
    assert "expenses" in ids(topics)
    shown = " ".join([t.id for t in topics] + [t.label for t in topics] +
                     [e for t in topics for e in t.evidence]).lower()
    for name in ("priya", "raman", "daniel", "okafor"):
        assert name not in shown


@pytest.mark.parametrize("context", [
    Context(title="Submit my expense report", text="Call Maria Lopez about the receipts"),
    Context(title="Jane Doe - Profile - Workday", headings=["Time off"]),
    Context(title="Quarterly Budget Review", text="Notes for Daniel Okafor")])
def test_a_name_the_model_misses_in_context_is_caught_on_its_own(extractor, context):
    """The small model finds no PERSON in "report\nCall Maria Lopez"; read alone, it does."""
    phrases = " ".join(e for t in extractor.extract(context) for e in t.evidence).lower()
    assert not {"maria", "lopez", "jane", "doe", "daniel", "okafor"} & set(phrases.split())
    assert phrases  # the work phrases stay


def test_work_phrases_in_title_case_stay(extractor):
    topics = extractor.extract(Context(title="Expense Policy - Confluence",
                                       headings=["Corporate Card Rules", "Travel Booking"]))
    assert {"phrase:expense policy", "phrase:corporate card rules"} <= set(ids(topics))


@pytest.mark.parametrize("title, url, site, labels", [
    ("Expense report - Navan", "https://app.navan.com/expenses", "Navan", ["app", "navan"]),
    ("Ticket #1 - Zendesk", "https://acme-help.zendesk.com/t/1", "Zendesk",
     ["acme", "help", "zendesk"]),
    ("London weather forecast - Met Office", "https://www.metoffice.gov.uk/", "Met Office",
     ["metoffice"]),
    ("Review: storage cleanup", "http://10.0.0.5:8080/x", "", []),
    ("Broken", "http://[::1", "", []),
    ("Untitled", "", "", []),
])
def test_where_a_page_is_read_from_its_title_and_host(title, url, site, labels):
    assert site_names(Context(title=title, url=url)) == (site, labels)


def test_a_long_page_keeps_its_topics_and_never_shows_a_name_from_far_down(extractor):
    """Names are looked for in the first words only (the recogniser is half the cost of a pass
    on a long page): topics still come from the whole page, and nothing from below where names
    were read becomes a phrase, so a colleague named there is never shown."""
    minutes = "The team went through the quarterly roadmap and agreed on owners. " * 30
    context = Context(title="Weekly sync notes", text=minutes + "Ravi Menon asked Julia "
                      "about the expense report and the corporate card limits.")
    topics = extractor.extract(context)
    assert "expenses" in ids(topics)
    shown = " ".join([t.id for t in topics] + [t.label for t in topics] +
                     [e for t in topics for e in t.evidence]).lower()
    assert not {"ravi", "menon", "julia"} & set(shown.replace(":", " ").split())
    assert any(t.kind == "keyphrase" for t in topics)  # the phrases of the top stay
