"""L&D tagging: proposals with confidence, manual tags that survive re-syncs, bulk by query."""

import pytest

from server.app import create_app
from server.config import ConfigError
from server.people.users import add_user, create_token
from server.runtime import index_of
from server.storage import db
from server.storage.models import ContentTags

GUIDE = """---
title: Booking business travel
---
# Booking business travel
Book flights and hotels through the travel booking tool. Keep every receipt for your
expense report. {extra}
"""
NOTE = """# Team lunch notes
We talked about the offsite and the {extra} menu.
"""
TRAVEL = {"context": {"title": "Book a flight to the customer visit - travel booking"}}


@pytest.fixture
def lib(tmp_path):
    """An app with one folder source of two documents, and an L&D and an employee token."""
    app = create_app({"HOME": str(tmp_path), "MODEL": "", "TESTING": True,
                      "SOURCE_ROOTS": str(tmp_path)})  # L&D add the folder through the API
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "travel.md").write_text(GUIDE.format(extra=""))
    (folder / "lunch.md").write_text(NOTE.format(extra="pizza"))
    client = app.test_client()
    with app.app_context():
        session = db.session()
        ld = create_token(session, add_user(session, "lena", "ld"))
        emp = create_token(session, add_user(session, "ada", "employee", groups=["sales"]))
    headers = {"ld": {"Authorization": f"Bearer {ld}"},
               "employee": {"Authorization": f"Bearer {emp}"}}
    assert client.post("/api/v1/sources", headers=headers["ld"], json={
        "name": "kb", "kind": "folder", "location": str(folder)}).status_code == 201
    sync(client, headers["ld"])
    return app, client, headers, folder


def sync(client, headers) -> dict:
    answer = client.post("/api/v1/sources/kb/sync", headers=headers)
    assert answer.status_code == 200
    return answer.get_json()


def test_ld_sees_proposed_topics_and_skills_with_confidence(lib):
    _, client, h, _ = lib
    doc = client.get("/api/v1/content/kb:travel.md", headers=h["ld"]).get_json()
    proposed = {t["id"]: t["confidence"] for t in doc["proposed"]["topics"]}
    assert proposed["travel"] > 0.5 and 0 < proposed.get("expenses", 0) < proposed["travel"]
    skills = [s["name"] for s in doc["proposed"]["skills"]]
    assert "Management of Financial Resources" in skills  # the travel topic teaches it
    assert doc["manual"]["fields"] == {}
    employee_view = client.get("/api/v1/content/kb:travel.md", headers=h["employee"]).get_json()
    assert "proposed" not in employee_view and employee_view["title"] == "Booking business travel"


def test_manual_tags_apply_at_once_and_survive_a_resync_of_the_changed_item(lib):
    app, client, h, folder = lib
    answer = client.patch("/api/v1/content/kb:lunch.md", headers=h["ld"], json={
        "topics": {"add": ["travel"]}, "skills": ["Negotiation"], "type": "policy",
        "mandatory": True, "owner": "events-team", "review_by": "2027-01-31"})
    assert answer.status_code == 200, answer.get_json()
    doc = answer.get_json()
    assert doc["topics"]["travel"] == 1.0 and doc["type"] == "policy" and doc["mandatory"]
    assert doc["skills"] == ["Negotiation"] and doc["review_by"] == "2027-01-31"
    assert doc["manual"]["updated_by"] == "lena"
    # a policy L&D declared gets a version, so people can acknowledge it
    versions = client.get("/api/v1/versions/kb:lunch.md", headers=h["ld"]).get_json()
    assert [v["version"] for v in versions["versions"]] == [1]

    (folder / "lunch.md").write_text(NOTE.format(extra="taco"))  # the item changes at source
    counts = sync(client, h["ld"])["last_counts"]
    assert counts["updated"] == 1
    again = client.get("/api/v1/content/kb:lunch.md", headers=h["ld"]).get_json()
    assert again["topics"]["travel"] == 1.0 and again["type"] == "policy"
    assert again["owner"] == "events-team" and again["skills"] == ["Negotiation"]
    # the proposals are the tagger's, from the new text; L&D's topic is not among them
    assert "travel" not in [t["id"] for t in again["proposed"]["topics"]]


def test_a_rejected_proposal_stays_rejected_across_syncs_until_accepted(lib):
    _, client, h, folder = lib
    before = client.get("/api/v1/content/kb:travel.md", headers=h["ld"]).get_json()
    assert "expenses" in before["topics"]
    answer = client.patch("/api/v1/content/kb:travel.md", headers=h["ld"],
                          json={"rejected": {"add": ["expenses"]}})
    assert answer.status_code == 200, answer.get_json()
    doc = answer.get_json()
    assert "expenses" not in doc["topics"] and "travel" in doc["topics"]  # the rest stays
    expenses = next(t for t in doc["proposed"]["topics"] if t["id"] == "expenses")
    assert expenses["rejected"] and not expenses["applied"]
    assert "topics" not in doc["manual"]["fields"]  # new proposals still come in

    (folder / "travel.md").write_text(GUIDE.format(extra="Expense reports are due monthly."))
    assert sync(client, h["ld"])["last_counts"]["updated"] == 1
    again = client.get("/api/v1/content/kb:travel.md", headers=h["ld"]).get_json()
    assert "expenses" not in again["topics"] and "travel" in again["topics"]

    accepted = client.patch("/api/v1/content/kb:travel.md", headers=h["ld"],
                            json={"topics": {"add": ["expenses"]}}).get_json()
    assert "expenses" in accepted["topics"] and "rejected" not in accepted["manual"]["fields"]
    refused = client.patch("/api/v1/content/kb:travel.md", headers=h["ld"],
                           json={"rejected": {"add": ["no-such-topic"]}})
    assert refused.status_code == 400 and "not in the taxonomy" in refused.get_json()["message"]


def test_proposals_under_the_floor_are_shown_not_applied(tmp_path):
    app = create_app({"HOME": str(tmp_path), "MODEL": "", "TESTING": True, "TAG_FLOOR": 0.5,
                      "SOURCE_ROOTS": str(tmp_path)})
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "travel.md").write_text(GUIDE.format(extra=""))
    with app.app_context():
        assert index_of(app).tag_floor == 0.5
        token = create_token(db.session(), add_user(db.session(), "lena", "ld"))
    client, h = app.test_client(), {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/sources", headers=h, json={
        "name": "kb", "kind": "folder", "location": str(tmp_path / "content")}).status_code == 201
    sync(client, h)
    doc = client.get("/api/v1/content/kb:travel.md", headers=h).get_json()
    proposed = {t["id"]: t for t in doc["proposed"]["topics"]}
    assert doc["floor"] == 0.5 and proposed["travel"]["applied"]
    low = [t for t in proposed.values() if t["confidence"] < 0.5]
    assert low and all(t["under_floor"] and not t["applied"] for t in low)
    assert set(doc["topics"]) == {t for t, p in proposed.items() if p["confidence"] >= 0.5}


@pytest.mark.parametrize("value", ["1.5", "-0.1", "a lot"])
def test_a_floor_that_is_not_a_share_is_refused_at_start(tmp_path, value):
    with pytest.raises(ConfigError, match="JITLEARN_TAG_FLOOR"):
        create_app({"HOME": str(tmp_path), "MODEL": "", "TAG_FLOOR": value})


def test_removing_a_topic_changes_what_is_suggested(lib):
    _, client, h, _ = lib
    before = client.post("/api/v1/suggestions", json=TRAVEL, headers=h["employee"]).get_json()
    assert "kb:travel.md" in [s["id"] for s in before["suggestions"]]
    assert client.patch("/api/v1/content/kb:travel.md", headers=h["ld"], json={
        "audience": ["finance"]}).status_code == 200
    hidden = client.post("/api/v1/suggestions", json=TRAVEL, headers=h["employee"]).get_json()
    assert "kb:travel.md" not in [s["id"] for s in hidden["suggestions"]]
    assert client.get("/api/v1/content/kb:travel.md", headers=h["employee"]).status_code == 404

    reset = client.patch("/api/v1/content/kb:travel.md", headers=h["ld"],
                         json={"audience": None}).get_json()
    assert reset["audience"] == [] and reset["manual"]["fields"] == {}
    shown = client.post("/api/v1/suggestions", json=TRAVEL, headers=h["employee"]).get_json()
    assert "kb:travel.md" in [s["id"] for s in shown["suggestions"]]


def test_an_edit_is_not_a_new_version_and_keeps_the_full_text_searchable(lib):
    app, client, h, _ = lib
    client.patch("/api/v1/content/kb:travel.md", headers=h["ld"], json={"level": "beginner"})
    found = client.get("/api/v1/search?q=receipt", headers=h["employee"]).get_json()
    assert [r["id"] for r in found["results"]] == ["kb:travel.md"]  # body words still indexed
    assert found["results"][0]["level"] == "beginner"
    assert sync(client, h["ld"])["last_counts"]["unchanged"] == 2  # the source did not change


@pytest.mark.parametrize("body, code", [
    ({"topics": ["no-such-topic"]}, "unknown_topic"),
    ({"type": "novel"}, "invalid_value"),
    ({"review_by": "31/01/2027"}, "invalid_value"),
    ({"duration": -5}, "invalid_value"),
    ({"mandatory": "yes"}, "invalid_type"),
    ({"language": "English please"}, "invalid_value"),
    ({"title": "Renamed"}, "unknown_field"),
    ({"tags": {"add": "travel"}}, "invalid_type"),
    ({"audience": ["<script>"]}, "invalid_value"),
    ({}, "invalid_value"),
])
def test_bad_changes_are_refused_with_the_reason_and_change_nothing(lib, body, code):
    app, client, h, _ = lib
    answer = client.patch("/api/v1/content/kb:travel.md", headers=h["ld"], json=body)
    assert answer.status_code == 400 and answer.get_json()["error"] == code
    with app.app_context():
        assert db.session().query(ContentTags).count() == 0


def test_only_ld_and_admins_tag_and_unknown_items_are_404(lib):
    _, client, h, _ = lib
    assert client.patch("/api/v1/content/kb:travel.md", headers=h["employee"],
                        json={"level": "advanced"}).status_code == 403
    assert client.patch("/api/v1/content/kb:nothing.md", headers=h["ld"],
                        json={"level": "advanced"}).status_code == 404
    assert client.patch("/api/v1/content/kb:travel.md", headers=h["ld"], data="[1]",
                        content_type="application/json").status_code == 400


def test_bulk_tagging_by_query_with_a_dry_run_first(lib):
    app, client, h, _ = lib
    body = {"query": "hotels flights", "changes": {"topics": {"add": ["procurement"]}}}
    dry = client.post("/api/v1/content/bulk", headers=h["ld"],
                      json={**body, "dry_run": True}).get_json()
    assert dry == {"matched": 1, "changed": 1, "ids": ["kb:travel.md"], "dry_run": True}
    doc = client.get("/api/v1/content/kb:travel.md", headers=h["ld"]).get_json()
    assert "procurement" not in doc["topics"]

    done = client.post("/api/v1/content/bulk", headers=h["ld"], json=body).get_json()
    assert done["changed"] == 1
    doc = client.get("/api/v1/content/kb:travel.md", headers=h["ld"]).get_json()
    assert doc["topics"]["procurement"] == 1.0 and doc["topics"]["travel"] > 0.5
    again = client.post("/api/v1/content/bulk", headers=h["ld"], json=body).get_json()
    assert again["changed"] == 0  # already so: nothing to do

    by_source = client.post("/api/v1/content/bulk", headers=h["ld"], json={
        "source": "kb", "changes": {"owner": "l-and-d"}}).get_json()
    assert by_source["matched"] == 2 and by_source["changed"] == 2


@pytest.mark.parametrize("body, status, code", [
    ({"changes": {"owner": "x"}}, 400, "invalid_selection"),
    ({"query": "the", "ids": ["kb:travel.md"], "changes": {"owner": "x"}}, 400,
     "invalid_selection"),
    ({"query": "travel"}, 400, "missing_field"),
    ({"ids": "kb:travel.md", "changes": {"owner": "x"}}, 400, "invalid_type"),
    ({"query": "travel", "changes": {"owner": "x"}, "dry_run": "no"}, 400, "invalid_type"),
])
def test_bulk_refuses_unclear_selections(lib, body, status, code):
    _, client, h, _ = lib
    answer = client.post("/api/v1/content/bulk", headers=h["ld"], json=body)
    assert answer.status_code == status and answer.get_json()["error"] == code


def test_a_busy_index_answers_503_and_saves_nothing(lib):
    app, client, h, _ = lib
    with index_of(app).writer():  # a long sync holds the index
        app.config["TAG_WRITE_TIMEOUT"] = 0.2
        answer = client.patch("/api/v1/content/kb:travel.md", headers=h["ld"],
                              json={"owner": "someone"})
    assert answer.status_code == 503 and answer.get_json()["error"] == "index_busy"
    with app.app_context():
        assert db.session().query(ContentTags).count() == 0
    assert client.get("/api/v1/content/kb:travel.md", headers=h["ld"]).get_json()["owner"] == ""


def test_topics_lists_the_taxonomy_with_skills(lib):
    _, client, h, _ = lib
    topics = {t["id"]: t for t in client.get("/api/v1/topics", headers=h["employee"])
              .get_json()["topics"]}
    assert topics["mfa"]["parent"] == "authentication"
    assert "Computers and Electronics" in topics["mfa"]["skills"]  # inherited from security
