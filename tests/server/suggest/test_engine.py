import pytest

from nlp import Context


@pytest.mark.parametrize("title", [
    pytest.param("Best laptops of 2026 - The Verge", marks=pytest.mark.xfail(strict=True, reason=(
        "a laptop review shares the library's laptop words, and its site says nothing either "
        "way: the reference library answers it too (with its laptop management guide); the "
        "sample library used to stay quiet only because a library of a few short pages "
        "counted for little, which silenced half of its work pages as well"))),
                                   "Marathon training plan for beginners",
                                   "Taylor Swift tour tickets - Ticketmaster",
                                   "Chicken tikka masala recipe - BBC Good Food"])
def test_consumer_pages_stay_quiet(engine, title):
    result = engine.suggest(Context(title=title))
    assert result.suggestions == [] and result.abstained


@pytest.mark.parametrize("context", [
    Context(title="Laptop stolen from my car - IT Help Desk"),
    Context(title="Security training", headings=["Phishing", "Passwords"]),
    Context(title="Payroll", url="https://app.navan.com/expenses"),
])
def test_work_pages_with_more_to_say_get_answers(engine, context):
    assert engine.suggest(context).suggestions


def test_suggestions_carry_reasons_and_scores_in_order(engine):
    result = engine.suggest(Context(title="Parental leave request"), limit=5)
    assert result.suggestions[0].id == "samples:policies/parental-leave.md"
    assert all(s.reasons and 0 < s.score <= 1 for s in result.suggestions)


@pytest.mark.parametrize("title", ["Gifts from a supplier",
                                   "Accepting a gift from a vendor - Outlook"])
def test_required_reading_the_model_puts_first_is_not_pushed_down_by_other_required_reading(
        engine, title):
    """The page's strongest topic is vendor management (procurement is mandatory and about
    it), but the gifts policy, mandatory too, is what the page needs: it stays first, and a
    weaker card never sits above a stronger one for being required as well."""
    cards = engine.suggest(Context(title=title)).suggestions
    assert cards[0].id == "samples:policies/gifts.md" and cards[0].mandatory
    procurement = next((c for c in cards if c.id == "samples:policies/procurement.md"), None)
    assert procurement is None or procurement.score < cards[0].score


def test_reasons_quote_the_page_and_describe_courses(engine):
    result = engine.suggest(Context(title="Export HR data to a spreadsheet",
                                    text="personal data of employees"))
    course = next(s for s in result.suggestions if s.id == "samples:training/privacy-essentials.md")
    assert "Required for your role" in course.reasons
    assert any("“personal”" in r and r.endswith("from your page") for r in course.reasons)
    assert "A 30-minute beginner course" in course.reasons


def test_reasons_say_what_each_item_shares_not_the_site_or_the_pages_topics(engine):
    result = engine.suggest(Context(title="Expense report - Navan"))
    assert result.suggestions
    for s in result.suggestions:
        said = " ".join(s.reasons)
        assert "Navan" not in said  # the site's name is no evidence
        assert not any(r.startswith("About ") for r in s.reasons), s.reasons  # its own words
        assert any("as your page does" in r or "from your page" in r for r in s.reasons)


def test_a_reason_quotes_a_title_word_only_when_the_page_says_it(engine):
    """"Acceptance criteria" and the "Acceptable Use Policy" share a stem, not a word: the
    card may be shown, but it never tells the person their page says "Acceptable"."""
    result = engine.suggest(Context(
        title="Acceptance criteria for the laptop story - Jira",
        text="Acceptance: staff may use their work laptop for personal email."), limit=5)
    card = next(s for s in result.suggestions if s.title == "Acceptable Use Policy")
    said = " ".join(card.reasons)
    assert "Acceptable" not in said and "Acceptance" not in said, card.reasons
    assert "Its title names “Use”, as your page does" in card.reasons
    policies = engine.suggest(Context(title="Travel policies", text="Booking flights"))
    travel = next(s for s in policies.suggestions if s.title == "Business Travel Policy")
    assert any(r.startswith("Its title names") and "“Policy”" in r for r in travel.reasons), \
        travel.reasons  # a plural is the same word


def test_the_same_title_in_two_sources_is_two_cards_but_a_copied_file_is_one(
        extractor, tag, tmp_path):
    """Two teams' "Pull requests" guides are different documents, and each card names its
    source; a guide copied into another folder shows once."""
    from index import ContentIndex, ingest_dir
    from server.suggest.engine import Engine

    ours = ("# Pull requests\n\nOpen a pull request early. Describe the change, link the "
            "issue and ask the code owners for review.\n")
    theirs = ("# Pull requests\n\nKeep each pull request small, describe the change and "
              "wait for one approving review before you merge.\n")
    for source, name, body in (("platform", "pull-requests.md", ours),
                               ("platform", "old/pull-requests.md", ours),
                               ("web", "pull-requests.md", theirs)):
        (tmp_path / source / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / source / name).write_text(body, encoding="utf-8")
    index = ContentIndex(tmp_path / "index")
    for source in ("platform", "web"):
        assert ingest_dir(index, source, tmp_path / source, tag).added
    result = Engine(extractor, index).suggest(
        Context(title="Open a pull request - GitHub", text="Describe the change for review."),
        limit=5)
    assert sorted(s.source for s in result.suggestions) == ["platform", "web"], \
        [(s.id, s.source) for s in result.suggestions]


def test_a_library_of_a_few_short_pages_answers_the_work_it_covers(engine):
    """The sample library (67 short documents, 2,600 words) once left half of the judged work
    pages silent: its own counts said too little. They now lean on a workplace library's."""
    result = engine.suggest(Context(
        title="Suspicious email: your mailbox is full - Outlook",
        url="https://outlook.office.com/mail/inbox",
        text="Click here to keep your account. Verify your password within 24 hours."))
    assert result.suggestions and result.suggestions[0].id == \
        "samples:training/phishing-spotting.md", result.abstained


MERGER_PAGE = Context(title="Project Falcon merger: due diligence data room - Box",
                      text="Upload the target's contracts and litigation for due diligence.")


def merger_library(extractor, tag, tmp_path, checklist: str, other: str):
    """An engine over two documents: a merger checklist only the legal group may see (its
    text: checklist) and another for everyone (other, as Markdown)."""
    from index import ContentIndex, ingest_dir
    from server.suggest.engine import Engine

    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "merger.md").write_text(
        "---\ntitle: Merger due diligence checklist\naudience: [legal]\n---\n\n# Merger due "
        "diligence\n\n" + checklist, encoding="utf-8")
    (folder / "other.md").write_text(other, encoding="utf-8")
    index = ContentIndex(tmp_path / "index")
    assert ingest_dir(index, "lib", folder, tag).added
    return Engine(extractor, index)


def test_a_page_only_other_groups_content_fits_is_quiet_without_telling_of_it(
        extractor, tag, tmp_path):
    """Content for other groups is not shown, and the reason for the silence does not give
    it away: "hidden" is kept for what the person put aside themselves."""
    engine = merger_library(
        extractor, tag, tmp_path, "Collect the target's contracts, litigation and licences "
        "for the data room before the merger closes.\n",
        "# Office printers\n\nPrinters on each floor; badge in to print.\n")
    assert [s.title for s in engine.suggest(MERGER_PAGE, groups={"legal"}).suggestions] == \
        ["Merger due diligence checklist"]
    result = engine.suggest(MERGER_PAGE, groups={"engineering"})
    assert result.suggestions == []
    assert result.reason == "no_match", result.abstained
    assert "merger" not in result.abstained.lower()


def test_a_card_s_reasons_quote_only_words_it_has_when_the_person_s_groups_leave_others_out(
        extractor, tag, tmp_path):
    """Candidates for other groups are dropped after the first stage; what each remaining
    card has of the page must stay the card's own, not the dropped one's in its place."""
    engine = merger_library(
        extractor, tag, tmp_path, "Collect the target's litigation and licences for the data "
        "room before the merger closes.\n",
        "# Where signed contracts are kept\n\nUpload signed contracts to the contracts "
        "folder of the shared drive; the owner keeps them.\n")
    first = engine.read(MERGER_PAGE).hits[0]
    assert first.title == "Merger due diligence checklist"  # first, and dropped below
    cards = engine.suggest(MERGER_PAGE, groups={"engineering"}).suggestions
    assert [c.title for c in cards] == ["Where signed contracts are kept"]
    said = " ".join(cards[0].reasons)
    assert "“contracts”" in said or "“Upload”" in said, said
    for word in ("merger", "diligence", "litigation", "data", "room"):
        assert f"“{word}”" not in said.lower(), said
