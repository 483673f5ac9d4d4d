def test_title_subject_outweighs_body_mentions(tagger):
    weights = tagger.tag("Parental leave", ["Who is eligible"], "Paid leave for new parents.",
                         "Talk to your manager. " * 3 + "Security training is required.")
    assert weights["parental-leave"] > 0.7
    assert weights.get("compliance-training", 0) < weights["parental-leave"]


def test_tags_and_path_count_towards_subjects(tagger):
    weights = tagger.tag("Overview", [], "", "", path="people time off and absence",
                         tags=["expenses"])
    assert weights["expenses"] > 0.5 and weights["leave"] > 0.3


def test_a_page_about_nothing_in_the_taxonomy_gets_no_topics(tagger):
    assert tagger.tag("Tomato growing", [], "", "Water the plants twice a week.") == {}
