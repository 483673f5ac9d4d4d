"""The personal feed, skills in demand and team aggregates."""

import time
from pathlib import Path

import pytest

from server.career.imports import import_roles
from server.people.users import add_user, create_token
from server.storage import db

CAREER = Path(__file__).resolve().parents[3] / "samples" / "career" / "roles.csv"
BUDGET_PAGE = {"context": {"title": "FY2027 annual budgeting cycle - Finance",
                           "text": "Budget owners plan headcount and opex per cost center."}}


@pytest.fixture
def team(app):
    """bob manages sam and five others; sam is a software engineer aiming for management."""
    with app.app_context():
        s = db.session()
        import_roles(s, CAREER)
        bob = add_user(s, "bob", "manager", groups=["managers"])
        people = {"bob": bob}
        for name in ("sam", "kai", "lou", "max", "noa", "ole"):
            people[name] = add_user(s, name, groups=["engineering"], manager=bob)
        people["ivy"] = add_user(s, "ivy", "admin")
        headers = {n: {"Authorization": f"Bearer {create_token(s, u)}"} for n, u in people.items()}
        ids = {n: u.id for n, u in people.items()}
    client = app.test_client()
    client.put("/api/v1/me/profile", headers=headers["sam"], json={
        "current_title": "Software Engineer", "target_roles": ["org:engineering-manager"]})
    return client, headers, ids


def feed(client, headers, **params) -> dict:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    answer = client.get(f"/api/v1/me/feed?{query}", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_the_feed_merges_its_sources_and_says_which_put_each_item_there(team):
    client, h, ids = team
    client.post(f"/api/v1/people/{ids['sam']}/feedback", headers=h["bob"],
                json={"skills": ["Feedback"], "note": "Ask for more feedback on your designs."})
    items = feed(client, h["sam"], per_page=50)["items"]
    sources = [i["source"] for i in items]
    assert sources[0] == "mandatory" and {"gap", "feedback"} <= set(sources)
    assert len({i["id"] for i in items}) == len(items)  # each item once
    budgeting = next(i for i in items if i["id"] == "samples:guides/how-budgeting-works.md")
    assert budgeting["reason"] == ("Builds budgeting, needed for Engineering Manager, your "
                                   "target role")
    suggested = [i for i in items if i["source"] == "feedback"]
    assert suggested and suggested[0]["reason"] == ("Your manager suggested focusing on "
                                                    "feedback")
    assert all(i["id"] != "samples:policies/budget-planning.md" for i in items)  # managers only


def test_pages_do_not_overlap_and_a_dismissed_item_never_comes_back(team):
    client, h, _ = team
    first, second = feed(client, h["sam"], page=1, per_page=3), feed(client, h["sam"], page=2,
                                                                     per_page=3)
    assert first["total"] == second["total"] > 3
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    everything = feed(client, h["sam"], per_page=50)
    gone = next(i["id"] for i in everything["items"] if i["source"] == "gap")
    assert client.post("/api/v1/feedback", headers=h["sam"], json={
        "request_id": everything["request_id"], "content_id": gone,
        "action": "dismissed"}).status_code == 201
    for _ in range(2):
        assert gone not in [i["id"] for i in feed(client, h["sam"], per_page=50)["items"]]


def test_an_acknowledged_mandatory_policy_leaves_the_feed(team):
    client, h, _ = team
    page = feed(client, h["sam"], per_page=50)
    policy = next(i["id"] for i in page["items"] if i["source"] == "mandatory")
    client.post("/api/v1/feedback", headers=h["sam"], json={
        "request_id": page["request_id"], "content_id": policy, "action": "acknowledged"})
    assert policy not in [i["id"] for i in feed(client, h["sam"], per_page=50)["items"]]


def test_without_personalisation_only_what_everyone_must_know(team):
    client, h, _ = team
    client.put("/api/v1/me/profile", headers=h["sam"],
               json={"privacy": {"personalize": False}})
    assert {i["source"] for i in feed(client, h["sam"], per_page=50)["items"]} == {"mandatory"}


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=51", "per_page=0",
                                   "page=²"])  # a digit to Unicode, not a number to int()
def test_bad_paging_is_refused(team, query):
    client, h, _ = team
    answer = client.get(f"/api/v1/me/feed?{query}", headers=h["sam"])
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_query"


def test_skills_rise_when_five_or_more_people_meet_them_at_work(team):
    client, h, _ = team
    for name in ("sam", "kai", "lou", "max"):
        client.post("/api/v1/suggestions", json=BUDGET_PAGE, headers=h[name])
    names = [s["name"] for s in client.get("/api/v1/skills/in-demand",
                                           headers=h["sam"]).get_json()["skills"]]
    assert "Budgeting" not in names  # four people: not counted
    client.post("/api/v1/suggestions", json=BUDGET_PAGE, headers=h["noa"])
    for _ in range(50):  # the weekly counts load once in the background, then keep up
        skills = client.get("/api/v1/skills/in-demand", headers=h["sam"]).get_json()["skills"]
        if any(s["name"] == "Budgeting" for s in skills):
            break
        time.sleep(0.1)
    budgeting = next(s for s in skills if s["name"] == "Budgeting")
    assert budgeting["why"][0].startswith("rising at work: 5 people met Budgeting and planning")


def test_admins_flag_skills_in_demand_and_nobody_else_can(team):
    client, h, _ = team
    body = {"in_demand": True}
    assert client.put("/api/v1/skills/Mentoring/in-demand", headers=h["bob"],
                      json=body).status_code == 403
    assert client.put("/api/v1/skills/Mentoring/in-demand", headers=h["ivy"],
                      json=body).status_code == 200
    skills = client.get("/api/v1/skills/in-demand", headers=h["kai"]).get_json()["skills"]
    assert ["flagged in demand by an admin"] in [s["why"] for s in skills if
                                                  s["name"] == "Mentoring"]
    assert client.put("/api/v1/skills/Mentoring/in-demand", headers=h["ivy"],
                      json={"in_demand": "yes"}).status_code == 400


def test_managers_see_team_skills_only_as_counts_over_five_people(team):
    client, h, ids = team
    for n, name in enumerate(("sam", "kai", "lou", "max", "noa")):
        client.post("/api/v1/me/skills", headers=h[name], json={"skill": "Programming",
                                                                "level": 2 + n % 3})
    client.post("/api/v1/me/skills", headers=h["sam"], json={"skill": "Testing", "level": 4})
    answer = client.get("/api/v1/team/skills", headers=h["bob"]).get_json()
    assert answer["people"] == 6
    # five people at levels 2, 3, 4, 2, 3: no level holds five, so one band holds them all
    assert answer["skills"] == [{"id": answer["skills"][0]["id"], "name": "Programming",
                                 "people": 5, "levels": {"2-4": 5}}]
    # Testing was rated by one person: no count that small is shown, and no name anywhere
    assert "sam" not in str(answer)
    assert client.get("/api/v1/team/skills", headers=h["sam"]).status_code == 403  # no team
    # nor does bob see any one of them, unless that person chose to share
    assert client.get(f"/api/v1/people/{ids['kai']}/profile", headers=h["bob"]).status_code \
        == 403


def test_one_source_does_not_fill_the_first_page_and_one_title_shows_once():
    """Ten in-demand technologies scoring a little higher than three gap items: the page
    mixes them, and a course held twice (two sources) shows once."""
    from index import SearchHit
    from server.people.feed import Item, _ranked

    def item(n, source, score, title=None):
        return Item(SearchHit(f"doc{n}", title or f"Doc {n}", "", "guide", "", 0.0),
                    source, "why", score)

    items = {i.hit.id: i for i in [item(n, "in_demand", 0.6) for n in range(10)]
             + [item(10 + n, "gap", 0.55) for n in range(3)]
             + [item(20, "core", 0.5, "Doc 0")]}
    first = _ranked(items, set(), {})[:10]
    assert sum(i.source == "gap" for i in first) == 3
    assert len({i.hit.title for i in first}) == len(first)


def test_mandatory_items_for_the_persons_group_come_first_and_say_so(team):
    """Sam is in engineering: what is mandatory for engineering leads the block, each item
    saying whom it is for; the rest is mandatory for everyone."""
    client, headers, _ = team
    answer = client.get("/api/v1/me/feed?per_page=10", headers=headers["sam"]).get_json()
    due = [i for i in answer["items"] if i["source"] == "mandatory"]
    ours = [i for i in due if i["reason"].startswith("Mandatory for engineering")]
    assert ours and due[:len(ours)] == ours  # engineering's first
    assert "samples:training/secure-coding.md" in [i["id"] for i in ours]
    assert all(i["reason"] == "Mandatory for everyone: not acknowledged yet"
               for i in due[len(ours):])
    apart = client.get("/api/v1/me/feed?mandatory=apart", headers=headers["sam"]).get_json()
    assert [i["id"] for i in apart["mandatory"]][:len(due)] == [i["id"] for i in due]
    assert not any(i["source"] == "mandatory" for i in apart["items"])
    assert client.get("/api/v1/me/feed?mandatory=sideways",
                      headers=headers["sam"]).status_code == 400
