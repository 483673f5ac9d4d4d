"""Stretch opportunities and colleagues to ask: posted, matched to people and pages, private."""

from datetime import timedelta
from pathlib import Path

import pytest

from server.career.imports import import_roles
from server.people.users import add_user, create_token
from server.storage import db
from server.storage.models import Expertise, OpportunityInterest, now

CAREER = Path(__file__).resolve().parents[3] / "samples" / "career" / "roles.csv"
BUDGET_PAGE = {"context": {
    "title": "FY27 budgeting cycle: call for volunteers - Finance",
    "text": "We start the FY27 budget cycle next week. Budget owners plan headcount and opex "
            "per cost center; we need two volunteers to help consolidate the forecast."}}
OFF_WORK = {"context": {"title": "Marathon training plan: 16 weeks to race day",
                        "text": "Long runs on Sundays, intervals on Tuesdays, rest days."}}
LATER = (now() + timedelta(days=60)).date().isoformat()


@pytest.fixture
def people(app):
    """bob (manager) posts; sam aims for Engineering Manager; kai and lou are engineers; ivy
    is an admin."""
    with app.app_context():
        s = db.session()
        import_roles(s, CAREER)
        bob = add_user(s, "bob", "manager", groups=["managers"])
        users = {"bob": bob, "ivy": add_user(s, "ivy", "admin")}
        for name in ("sam", "kai", "lou"):
            users[name] = add_user(s, name, groups=["engineering"], manager=bob)
        headers = {n: {"Authorization": f"Bearer {create_token(s, u)}"} for n, u in users.items()}
        ids = {n: u.id for n, u in users.items()}
    client = app.test_client()
    client.put("/api/v1/me/profile", headers=headers["sam"], json={
        "current_title": "Software Engineer", "target_roles": ["org:engineering-manager"]})
    return client, headers, ids


def post(client, headers, **fields):
    body = {"title": "Join the FY27 budgeting cycle", "skills": ["Budgeting"],
            "description": "Help finance consolidate next year's budget.",
            "hours_per_week": 2, "ends": LATER, **fields}
    answer = client.post("/api/v1/opportunities", headers=headers, json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def feed_opportunities(client, headers):
    return client.get("/api/v1/me/feed", headers=headers).get_json()["opportunities"]


def test_a_posted_opportunity_reaches_the_person_whose_gap_it_builds_and_the_page_on_it(
        people):
    client, h, _ = people
    posted = post(client, h["bob"])
    assert client.post("/api/v1/opportunities", headers=h["sam"],
                       json={"title": "Mine"}).status_code == 403  # employees do not post
    mine = feed_opportunities(client, h["sam"])
    assert [o["id"] for o in mine] == [posted["id"]]
    assert mine[0]["why"].startswith("Builds budgeting, needed for Engineering Manager, your "
                                     "target role; 2 h a week until ")
    assert feed_opportunities(client, h["kai"]) == []  # no target role: nothing builds a gap
    page = client.post("/api/v1/suggestions", headers=h["kai"], json=BUDGET_PAGE).get_json()
    assert [o["id"] for o in page["opportunities"]] == [posted["id"]]
    assert page["opportunities"][0]["why"].startswith("Builds budgeting")
    quiet = client.post("/api/v1/suggestions", headers=h["kai"], json=OFF_WORK).get_json()
    assert quiet["suggestions"] == [] and quiet["opportunities"] == quiet["experts"] == []


def test_interest_is_seen_by_the_owner_alone_and_a_filled_opportunity_disappears(people):
    client, h, ids = people
    posted = post(client, h["bob"])
    url = f"/api/v1/opportunities/{posted['id']}"
    answer = client.put(url + "/interest", headers=h["sam"], json={"note": "I'd love to help"})
    assert answer.status_code == 200 and answer.get_json()["state"] == "interested"
    seen = client.get(url + "/interest", headers=h["bob"]).get_json()["interested"]
    assert [(p["name"], p["note"]) for p in seen] == [("sam", "I'd love to help")]
    for other in ("kai", "ivy"):  # another employee, even an admin: not theirs to see
        assert client.get(url + "/interest", headers=h[other]).status_code == 403
    assert client.get(url, headers=h["bob"]).get_json()["interested"] == 1
    for other in ("kai", "ivy"):  # nor how many: a count of one points at someone
        assert "interested" not in client.get(url, headers=h[other]).get_json()
    accepted = client.post(url + f"/interest/{ids['sam']}/accept", headers=h["bob"])
    assert accepted.get_json()["state"] == "accepted"
    assert client.post(url + f"/interest/{ids['kai']}/accept",
                       headers=h["bob"]).status_code == 404  # kai never said so
    assert client.patch(url, headers=h["kai"], json={"state": "filled"}).status_code == 403
    assert client.patch(url, headers=h["bob"], json={"state": "filled"}).status_code == 200
    assert client.get(url, headers=h["kai"]).status_code == 404
    assert client.get("/api/v1/opportunities", headers=h["kai"]).get_json()["opportunities"] == []
    page = client.post("/api/v1/suggestions", headers=h["kai"], json=BUDGET_PAGE).get_json()
    assert page["opportunities"] == []
    assert client.put(url + "/interest", headers=h["lou"], json={}).status_code == 404
    # the owner still has it, with its state, among their own
    owned = client.get("/api/v1/opportunities?mine=true", headers=h["bob"]).get_json()
    assert [o["state"] for o in owned["opportunities"]] == ["filled"]


def test_expired_or_restricted_opportunities_are_not_shown(people):
    client, h, _ = people
    post(client, h["bob"], open_until=(now() - timedelta(days=1)).date().isoformat())
    post(client, h["bob"], title="Shadow a finance partner", audience=["finance"])
    assert client.get("/api/v1/opportunities", headers=h["kai"]).get_json()["opportunities"] == []
    assert feed_opportunities(client, h["sam"]) == []


@pytest.mark.parametrize("fields,error", [
    ({"ends": "31/01/2027"}, "ends: a date as YYYY-MM-DD"),
    ({"starts": LATER, "ends": "2026-01-01"}, "ends: on or after starts"),
    ({"skills": ["Underwater basket weaving"]}, "no skill"),
    ({"hours_per_week": 200}, "hours_per_week"),
    ({"kind": "party"}, "kind"),
    ({"title": " "}, "title"),
    ({"owner": "ivy"}, "only L&D and admins"),
])
def test_a_bad_opportunity_is_refused_with_the_reason(people, fields, error):
    client, h, _ = people
    body = {"title": "Join the FY27 budgeting cycle", **fields}
    answer = client.post("/api/v1/opportunities", headers=h["bob"], json=body)
    assert answer.status_code in (400, 403, 404), answer.get_json()
    assert error in answer.get_json()["message"]
    assert client.get("/api/v1/opportunities?mine=true",
                      headers=h["bob"]).get_json()["opportunities"] == []  # nothing half-made


def test_an_expert_is_shown_to_others_on_their_subject_never_to_themselves(people, app):
    client, h, ids = people
    client.put("/api/v1/me/profile", headers=h["kai"], json={"department": "Finance"})
    client.post("/api/v1/me/skills", headers=h["kai"], json={"skill": "Budgeting", "level": 4})
    assert client.post("/api/v1/suggestions", headers=h["sam"],
                       json=BUDGET_PAGE).get_json()["experts"] == []  # nobody opted in
    offered = client.put("/api/v1/me/expertise", headers=h["kai"], json={"skills": [
        {"skill": "Budgeting", "show": {"rating": True, "role": False, "documents": False}}]})
    assert offered.status_code == 200
    experts = client.post("/api/v1/suggestions", headers=h["sam"],
                          json=BUDGET_PAGE).get_json()["experts"]
    assert [e["name"] for e in experts] == ["kai"]
    assert experts[0]["why"] == "Ask kai, Finance: budgeting; budgeting: proficient (own rating)"
    assert client.post("/api/v1/suggestions", headers=h["kai"],
                       json=BUDGET_PAGE).get_json()["experts"] == []  # not to themselves
    # what was shown is what kai chose: without the rating, no level
    client.put("/api/v1/me/expertise", headers=h["kai"], json={"skills": [
        {"skill": "Budgeting", "show": {"rating": False}}]})
    experts = client.post("/api/v1/suggestions", headers=h["sam"],
                          json=BUDGET_PAGE).get_json()["experts"]
    assert experts[0]["why"] == "Ask kai, Finance: budgeting"
    # offered to finance only: an engineer is not pointed to kai, a finance person is
    client.put("/api/v1/me/expertise", headers=h["kai"], json={"skills": [
        {"skill": "Budgeting", "show": {"rating": False}, "groups": ["Finance"]}]})
    assert client.post("/api/v1/suggestions", headers=h["sam"],
                       json=BUDGET_PAGE).get_json()["experts"] == []
    with app.app_context():
        fin = {"Authorization": "Bearer " + create_token(
            db.session(), add_user(db.session(), "fay", groups=["finance"]))}
    assert [e["name"] for e in client.post("/api/v1/suggestions", headers=fin,
                                           json=BUDGET_PAGE).get_json()["experts"]] == ["kai"]
    skill = client.get("/api/v1/me/expertise", headers=h["kai"]).get_json()[
        "expertise"][0]["skill"]["id"]
    client.delete(f"/api/v1/me/expertise/{skill}", headers=h["kai"])
    assert client.post("/api/v1/suggestions", headers=h["sam"],
                       json=BUDGET_PAGE).get_json()["experts"] == []


def test_interest_and_expertise_are_exported_deleted_and_purged_on_deactivation(people, app):
    from server.console.accounts import deactivate
    from server.storage.models import User

    client, h, ids = people
    posted = post(client, h["bob"])
    client.put(f"/api/v1/opportunities/{posted['id']}/interest", headers=h["sam"], json={})
    client.put("/api/v1/me/expertise", headers=h["sam"], json={"skills": [{"skill": "Budgeting"}]})
    mine = client.get("/api/v1/me/export", headers=h["sam"]).get_json()
    assert [i["title"] for i in mine["opportunity_interest"]] == ["Join the FY27 budgeting cycle"]
    assert [e["skill"]["name"] for e in mine["expertise"]] == ["Budgeting"]
    assert client.delete("/api/v1/me/data", headers=h["sam"]).status_code == 200
    mine = client.get("/api/v1/me/export", headers=h["sam"]).get_json()
    assert mine["opportunity_interest"] == mine["expertise"] == []
    client.put(f"/api/v1/opportunities/{posted['id']}/interest", headers=h["kai"], json={})
    client.put("/api/v1/me/expertise", headers=h["kai"], json={"skills": [{"skill": "Budgeting"}]})
    with app.app_context():
        s = db.session()
        deactivate(s, s.get(User, ids["kai"]))
        assert s.query(Expertise).filter_by(user_id=ids["kai"]).count() == 0
        assert s.query(OpportunityInterest).filter_by(user_id=ids["kai"]).count() == 0
    assert client.get(f"/api/v1/opportunities/{posted['id']}/interest",
                      headers=h["bob"]).get_json()["interested"] == []


def test_analytics_count_interest_only_in_groups_of_five_or_more(people, app):
    from server.suggest.analytics import interest

    client, h, _ = people
    posted = post(client, h["bob"])
    with app.app_context():
        s = db.session()
        more = [{"Authorization": f"Bearer {create_token(s, add_user(s, f'p{n}'))}"}
                for n in range(2)]
    for n, who in enumerate([h["sam"], h["kai"], h["lou"], *more]):
        client.put(f"/api/v1/opportunities/{posted['id']}/interest", headers=who, json={})
        with app.app_context():
            counted = interest(db.session())
        if n < 4:  # four people: a count that small points at them
            assert counted == []
    assert counted == [{"opportunity": "Join the FY27 budgeting cycle", "state": "open",
                        "interested": 5}]
