"""What a card says about itself: a title the library gives many documents names its section."""

from types import SimpleNamespace

from index import SearchHit
from server.suggest.reasons import same_word, shown_title, suggestion


def library(*docs: tuple[str, str]):
    return SimpleNamespace(meta=[{"id": i, "title": t} for i, t in docs], memo={})


def hit(doc_id: str, title: str) -> SearchHit:
    return SearchHit(id=doc_id, title=title, url="", type="policy", summary="", score=1.0)


def test_a_title_many_documents_share_names_the_section_it_belongs_to():
    lib = library(("hb:security/_index.md", "Security Policy"),
                  ("hb:security/purpose.md", "Purpose"),
                  ("hb:travel-and-expenses/purpose.md", "Purpose"),
                  ("hb:people/leave/purpose.md", "Purpose"),
                  ("hb:security/passwords.md", "Passwords"))
    assert shown_title(hit("hb:security/purpose.md", "Purpose"), lib) == \
        "Security Policy › Purpose"  # the folder's own page names it
    assert shown_title(hit("hb:travel-and-expenses/purpose.md", "Purpose"), lib) == \
        "Travel and expenses › Purpose"  # else the folder does
    assert shown_title(hit("hb:security/passwords.md", "Passwords"), lib) == "Passwords"


def test_a_title_only_a_few_documents_have_is_shown_as_it_is():
    lib = library(("hb:a/faq.md", "FAQ"), ("hb:b/faq.md", "FAQ"), ("hb:a/_index.md", "Alpha"))
    assert shown_title(hit("hb:a/faq.md", "FAQ"), lib) == "FAQ"  # two: the library's word


def test_a_card_shows_its_title_beside_the_words_its_title_shares_with_the_page():
    card = suggestion(hit("hb:policies/expenses.md", "Expense Policy"), 1.0, [],
                      shared=(["Expense"], ["report"]))
    assert card.title == "Expense Policy"
    assert card.reasons[0] == "Its title names “Expense”, as your page does"


def test_the_page_s_word_is_the_title_s_up_to_case_and_inflection_not_up_to_stem():
    assert same_word("Policy", "policies") and same_word("Emails", "email")
    assert same_word("process", "Processes") and same_word("Use", "using")
    assert same_word("Reporting", "report") and same_word("Requesting", "requested")
    assert same_word("Planning", "plan") and same_word("Applied", "applies")
    assert not same_word("Acceptable", "Acceptance") and not same_word("General", "generally")
    assert not same_word("Policy", "Police") and not same_word("Organization", "organ")
