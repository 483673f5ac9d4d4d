"""Personal suggestions, gaps and the reasons: the profile shapes what a page brings up."""

from pathlib import Path

import pytest

from nlp import Context
from server.career.imports import import_roles
from server.people.users import add_user, create_token
from server.storage import db

CAREER = Path(__file__).resolve().parents[3] / "samples" / "career" / "roles.csv"
BUDGET_PAGE = {"context": {
    "title": "FY2027 annual budgeting cycle - Finance",
    "url": "https://finance.example.com/planning/fy2027",
    "headings": ["Timeline", "Templates"],
    "text": "Each department submits its budget forecast for the next fiscal year. Budget owners "
            "plan headcount and opex per cost center."}}


@pytest.fixture
def sam(app):
    """Sam, a software engineer in the engineering group, with the demo career pack loaded."""
    with app.app_context():
        s = db.session()
        import_roles(s, CAREER)
        token = create_token(s, add_user(s, "sam", groups=["engineering"]))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.put("/api/v1/me/profile", headers=headers,
                      json={"current_title": "Software Engineer"}).status_code == 200
    return client, headers


def ids(answer) -> list[str]:
    return [s["id"] for s in answer.get_json()["suggestions"]]


def test_a_target_role_brings_up_how_budgeting_works_and_a_budgeting_course(sam):
    client, headers = sam
    plain = client.post("/api/v1/suggestions", json=BUDGET_PAGE, headers=headers).get_json()
    assert not any(r.startswith("Builds") for s in plain["suggestions"] for r in s["reasons"])

    client.put("/api/v1/me/profile", headers=headers,
               json={"target_roles": ["org:engineering-manager"]})
    aiming = client.post("/api/v1/suggestions", json=BUDGET_PAGE, headers=headers).get_json()
    shown = [s["id"] for s in aiming["suggestions"]]
    assert "samples:guides/how-budgeting-works.md" in shown[:3]
    assert "samples:training/budgeting-for-new-managers.md" in shown[:3]
    course = next(s for s in aiming["suggestions"] if s["type"] == "course")
    assert course["reasons"][0] == ("Builds budgeting, needed for Engineering Manager, your "
                                    "target role")


def test_personalisation_never_brings_in_topics_the_page_is_not_about(sam):
    client, headers = sam
    client.put("/api/v1/me/profile", headers=headers,
               json={"target_roles": ["org:engineering-manager"]})
    sport = {"context": {"title": "Champions League final: match report - BBC Sport"}}
    assert ids(client.post("/api/v1/suggestions", json=sport, headers=headers)) == []


def test_turning_personalisation_off_is_respected(sam):
    client, headers = sam
    client.put("/api/v1/me/profile", headers=headers, json={
        "target_roles": ["org:engineering-manager"], "privacy": {"personalize": False}})
    answer = client.post("/api/v1/suggestions", json=BUDGET_PAGE, headers=headers).get_json()
    reasons = [r for s in answer["suggestions"] for r in s["reasons"]]
    assert answer["suggestions"] and not any("target role" in r for r in reasons)


def test_without_a_known_role_a_course_on_the_page_shows_as_before(app):
    """Someone who told us nothing gets the page's best content, courses included."""
    with app.app_context():
        token = create_token(db.session(), add_user(db.session(), "new", groups=["eng"]))
    answer = app.test_client().post("/api/v1/suggestions", json=BUDGET_PAGE,
                                    headers={"Authorization": f"Bearer {token}"})
    assert "samples:training/budgeting-for-new-managers.md" in ids(answer)


def test_gaps_are_ordered_by_importance_times_gap_and_carry_content(sam):
    client, headers = sam
    client.put("/api/v1/me/profile", headers=headers,
               json={"target_roles": ["org:engineering-manager"]})
    client.post("/api/v1/me/skills", headers=headers, json={"skill": "Hiring", "level": 3})
    client.post("/api/v1/me/skills", headers=headers, json={"skill": "Feedback", "level": 2})
    gaps = client.get("/api/v1/me/gaps", headers=headers).get_json()["gaps"]
    names = [g["skill"]["name"] for g in gaps]
    assert "Hiring" not in names  # rated at the level the role needs
    scores = [g["score"] for g in gaps]
    assert scores == sorted(scores, reverse=True) and names[0] == "One-on-ones"
    feedback = next(g for g in gaps if g["skill"]["name"] == "Feedback")
    assert (feedback["current"], feedback["required"]) == (2, 4)
    budgeting = next(g for g in gaps if g["skill"]["name"] == "Budgeting")
    assert budgeting["roles"] == ["Engineering Manager"]
    assert "samples:guides/how-budgeting-works.md" in [c["id"] for c in budgeting["content"]]
    # content the person may not see (managers only) is never offered
    assert "samples:policies/budget-planning.md" not in [c["id"] for c in budgeting["content"]]


def test_eval_applies_a_judgments_profile_like_the_api(app, engine, tmp_path):
    import json

    from server.people.gaps import profile_signal
    from server.suggest.evaluation import run_eval

    judgments = tmp_path / "j.jsonl"
    course = "samples:training/budgeting-for-new-managers.md"
    lines = [{"id": "plain", "context": BUDGET_PAGE["context"], "relevant": {course: 3},
              "profile": {"role": "Software Engineer"}},
             {"id": "aiming", "context": BUDGET_PAGE["context"], "relevant": {course: 3},
              "profile": {"role": "Software Engineer", "target_role": "Engineering Manager"}}]
    judgments.write_text("".join(json.dumps(j) + "\n" for j in lines))
    with app.app_context():
        import_roles(db.session(), CAREER)
        runs = tmp_path / "run.jsonl"
        run_eval(engine, judgments, runs, lambda p: profile_signal(app, db.session(), p))
        signal = profile_signal(app, db.session(), lines[1]["profile"])
        direct = engine.suggest(Context.from_dict(BUDGET_PAGE["context"]), limit=10,
                                personal=signal)
    ranked = {r["id"]: r["ranked"] for r in map(json.loads, runs.read_text().splitlines())}
    assert "Builds budgeting, needed for Engineering Manager, your target role" in \
        signal.reasons.values()
    assert ranked["aiming"] == [s.id for s in direct.suggestions]  # as the API would rank it
    assert course in ranked["aiming"]


def test_content_for_a_skill_says_the_skill_not_a_word_inside_another(app):
    """"Excel" is not "Excellence" nor everything on data and analytics (a topic that lists
    "excel" among its words), a one-letter technology finds nothing rather than anything, and a
    skill a topic is (Budgeting) still finds the content on it."""
    from server.career.skills import teaching

    with app.app_context():
        excel = [h.title for h in teaching(app, "Excel", None)]
        budgeting = [h.id for h in teaching(app, "Budgeting", {"engineering"})]
        okta = [h.title for h in teaching(app, "Okta Workforce", None)]
        assert teaching(app, "C", None) == teaching(app, "C#", None) == []
    assert excel == []  # no title in the samples says "Excel"
    assert "samples:guides/how-budgeting-works.md" in budgeting
    assert okta == []  # no topic is it, and no title says both words


def test_a_goal_brings_content_into_the_feed_with_the_goal_as_its_reason(sam):
    client, headers = sam
    client.put("/api/v1/me/profile", headers=headers,
               json={"goals": ["Learn to give feedback"]})
    feed = client.get("/api/v1/me/feed?mandatory=apart&per_page=20", headers=headers).get_json()
    towards = [i for i in feed["items"] if "Towards your goal: Learn to give feedback" in
               [i["reason"], *i["also"]]]
    assert "samples:training/feedback.md" in [i["id"] for i in towards]


def test_a_goal_names_topics_by_their_phrases_word_for_word(app):
    """"IT team" is not any team, and "learning" inside "machine learning" is not learning
    and development: a person's goal lifts what it says, not a word it shares."""
    from server.career.skills import named_topics

    with app.app_context():
        wellbeing = named_topics(app, "support my team's wellbeing")
        laptop = named_topics(app, "Ask the IT team for a new laptop")
        ml = named_topics(app, "scope my first machine learning project")
    assert "it-support" not in wellbeing and "employee-wellbeing" in wellbeing
    assert "it-support" in laptop
    assert "machine-learning" in ml and "learning" not in ml


def test_a_goal_lifts_what_is_on_it_and_never_reorders_two_items_on_it():
    """A goal's topics are one subject: an item tagged with any of them builds it as much as
    another, however strongly each is tagged; an item off the goal gets no lift."""
    from index import SearchHit
    from server.suggest.results import Personal

    goal = Personal()
    for topic in ("machine-learning", "ai-usage"):
        goal.add(topic, 0.7, "Towards your goal: scope my first machine learning project")
    page = {"machine-learning", "project-management"}

    def hit(**topics):
        return SearchHit(id="x", title="", url="", type="guide", summary="", score=0,
                         topics=topics)

    items = [hit(**{"machine-learning": 0.95}), hit(**{"ai-usage": 0.6}),  # page lacks ai-usage
             hit(**{"project-management": 0.9})]
    strong, other, off = goal.lifts(items, page, 0.2)
    assert strong == other == (0.7, "Towards your goal: scope my first machine learning project")
    assert off == (0.0, "")
    assert goal.lifts(items[1:2], {"project-management"}, 0.2) == [(0.0, "")]
