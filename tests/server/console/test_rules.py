"""Topics and rules in the console: a draft, checked changes, the test bench, replay, publish,
rollback and the audit log."""

import json
import re

import pytest

from server.console.accounts import set_password
from server.people.users import add_user, create_token
from server.storage import db

PASSWORD = "correct horse battery"
RULE = {"id": "url-claims-tool", "kind": "url", "host": "*.claimsy.example", "path": "/*",
        "topic": "expenses", "weight": 2.0}
PAGE = {"title": "Dashboard - Claimsy", "url": "https://acme.claimsy.example/home"}


@pytest.fixture
def admin(app):
    with app.app_context():
        s = db.session()
        for name, role in (("ivy", "admin"), ("lena", "ld")):
            set_password(s, add_user(s, name, role), PASSWORD)
        token = create_token(s, add_user(s, "ada"))
    client = app.test_client()
    sign_in(client, "ivy")
    return client, {"Authorization": f"Bearer {token}"}


def csrf(client) -> str:
    page = client.get("/console/rules").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, name):
    page = client.get("/console/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/console/login", data={"name": name, "password": PASSWORD,
                                        "csrf_token": token})


def suggested_topics(client, headers) -> list[str]:
    answer = client.post("/api/v1/suggestions", json={"context": PAGE}, headers=headers)
    return [t["id"] for t in answer.get_json()["topics"]]


def test_a_rule_goes_from_draft_through_the_bench_to_published_and_back(admin):
    client, api = admin
    assert "expenses" not in suggested_topics(client, api)
    typed = {k: v for k, v in RULE.items() if k != "topic"}  # the topic is picked from a list
    saved = client.post("/console/rules/rule", data={"csrf_token": csrf(client), "topic":
                                                     "expenses", "rule": json.dumps(typed)},
                        follow_redirects=True)
    assert "Saved to the draft" in saved.get_data(as_text=True)
    assert "expenses" not in suggested_topics(client, api)  # a draft changes nothing yet

    bench = client.post("/console/bench", data={"csrf_token": csrf(client), "version": "draft",
                                                **PAGE}).get_data(as_text=True)
    assert "url-claims-tool" in bench and "Expense Policy" in bench

    replay = client.get("/console/rules/replay").get_data(as_text=True)
    assert "would change" in replay
    asked = client.post("/console/rules/publish", data={"csrf_token": csrf(client),
                                                        "note": "the claims tool"})
    assert "Publish the draft?" in asked.get_data(as_text=True)  # one click publishes nothing
    assert "expenses" not in suggested_topics(client, api)
    client.post("/console/rules/publish", data={"csrf_token": csrf(client),
                                                "note": "the claims tool", "confirm": "yes"})
    assert "expenses" in suggested_topics(client, api)  # every request uses it now

    versions = client.get("/console/rules/versions").get_data(as_text=True)
    assert "the claims tool" in versions and "rule.add" in versions and "publish" in versions
    client.post("/console/rules/rollback/0", data={"csrf_token": csrf(client), "confirm": "yes"})
    assert "expenses" not in suggested_topics(client, api)
    assert "rollback" in client.get("/console/rules/versions").get_data(as_text=True)


@pytest.mark.parametrize("rule, reason", [
    ({**RULE, "topic": "no-such-topic"}, "no topic"),
    ({"id": "tok", "kind": "tokens", "topic": "expenses", "pattern": [{"LOWER": {"BAD": 1}}]},
     "does not compile"),
    ({"id": "tok", "kind": "tokens", "topic": "expenses",
      "pattern": [{"TEXT": {"REGEX": "(a+)\\1"}}]}, "not supported"),
    ({"id": "tok", "kind": "tokens", "topic": "expenses",
      "pattern": [{"OP": "*"}, {"OP": "+"}, {"OP": "*"}, {"LOWER": "x"}]}, "repeated tokens"),
    ({**RULE, "weight": 50}, "weight"),
])
def test_a_rule_that_cannot_work_is_refused_with_the_reason(admin, rule, reason):
    client, _ = admin
    answer = client.post("/console/rules/rule", data={"csrf_token": csrf(client),
                                                      "rule": json.dumps(rule)},
                         follow_redirects=True).get_data(as_text=True)
    assert "Not saved" in answer and reason in answer
    assert "A change starts a draft." in answer  # the refused change opened no draft


def test_a_topic_is_added_and_a_bad_parent_refused(admin):
    client, _ = admin
    ok = client.post("/console/rules/topic", data={
        "csrf_token": csrf(client), "id": "claims", "label": "Insurance claims",
        "parent": "finance", "synonyms": "claim form, insurance claim"}, follow_redirects=True)
    assert "Saved to the draft" in ok.get_data(as_text=True)
    bad = client.post("/console/rules/topic", data={
        "csrf_token": csrf(client), "id": "claims2", "label": "X", "parent": "nothing"},
        follow_redirects=True)
    assert "unknown parent" in bad.get_data(as_text=True)


def test_l_and_d_use_the_bench_but_do_not_change_rules(app, admin):
    client = app.test_client()
    sign_in(client, "lena")
    assert client.get("/console/rules").status_code == 200
    assert client.post("/console/rules/rule", data={"csrf_token": csrf(client),
                                                    "rule": json.dumps(RULE)}).status_code == 403
    answer = client.post("/console/bench", data={"csrf_token": csrf(client),
                                                 "title": "Expense report - Navan"})
    assert "Expense Policy" in answer.get_data(as_text=True)


def test_replay_scores_the_draft_on_judgments_and_the_bench_picks_one(app, admin, tmp_path):
    client, _ = admin
    judgments = tmp_path / "judged.jsonl"
    judgments.write_text(json.dumps({
        "id": "claims", "context": {"title": "New claim - Claimsy",
                                    "url": "https://acme.claimsy.example/claims/new"},
        "relevant": {"samples:policies/expenses.md": 3}}) + "\n")
    app.config["EVAL_JUDGMENTS"] = str(judgments)
    picked = client.get("/console/bench?pick=claims").get_data(as_text=True)
    assert 'value="New claim - Claimsy"' in picked
    client.post("/console/rules/rule", data={"csrf_token": csrf(client),
                                             "rule": json.dumps(RULE)})
    replay = client.get("/console/rules/replay").get_data(as_text=True)
    ndcg = re.search(r"<td>ndcg@5</td><td>how well the first five cards are ordered[^<]*</td>"
                     r"<td>([\d.]+)</td><td>([\d.]+)</td><td>([+-][\d.]+)</td>", replay)
    assert ndcg and float(ndcg[1]) < float(ndcg[2])  # the new rule finds the expense policy
    words = " ".join(re.search(r'<p id="metrics-words">(.*?)</p>', replay, re.S)[1].split())
    assert words.startswith("Each is from 0 to 1, higher is better. With the draft, ")
    assert "would be better" in words
