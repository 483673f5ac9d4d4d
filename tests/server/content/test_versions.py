"""A changed policy gets a new version; an acknowledgment holds for the version acknowledged."""

from index import ingest_dir
from server.app import create_app
from server.content.versions import record_versions
from server.people.users import add_user, create_token
from server.runtime import index_of, tagger_of
from server.storage import db

POLICY = """---
title: Gifts and Entertainment Policy
type: policy
mandatory: true
tags: [gifts, anti-bribery]
---
Declare any gift from a supplier above 50 EUR in the gift register. {extra}
"""
CONTEXT = {"context": {"title": "Accepting client gifts from a vendor - gift register"}}


def ingest(app, folder):
    report = ingest_dir(index_of(app), "pol", folder, tagger_of(app))
    with app.app_context():
        record_versions(db.session(), report)


def test_acknowledged_policy_returns_when_a_new_version_lands(tmp_path):
    app = create_app({"HOME": str(tmp_path), "MODEL": "", "TESTING": True})
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "gifts.md").write_text(POLICY.format(extra=""))
    ingest(app, folder)
    with app.app_context():
        token = create_token(db.session(), add_user(db.session(), "ada"))
    auth = {"Authorization": f"Bearer {token}"}
    client = app.test_client()

    first = client.post("/api/v1/suggestions", json=CONTEXT, headers=auth).get_json()
    assert [s["id"] for s in first["suggestions"]] == ["pol:gifts.md"]
    assert client.post("/api/v1/feedback", headers=auth, json={
        "request_id": first["request_id"], "content_id": "pol:gifts.md",
        "action": "acknowledged"}).status_code == 201
    quiet = client.post("/api/v1/suggestions", json=CONTEXT, headers=auth).get_json()
    assert quiet["suggestions"] == []

    (folder / "gifts.md").write_text(POLICY.format(extra="Gifts to officials: never."))
    ingest(app, folder)
    again = client.post("/api/v1/suggestions", json=CONTEXT, headers=auth).get_json()
    assert [s["id"] for s in again["suggestions"]] == ["pol:gifts.md"]  # version 2 asks again
    versions = client.get("/api/v1/versions/pol:gifts.md", headers=auth).get_json()["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["hash"] != versions[1]["hash"]


def test_an_unchanged_policy_is_not_a_new_version(tmp_path):
    app = create_app({"HOME": str(tmp_path), "MODEL": "", "TESTING": True})
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "gifts.md").write_text(POLICY.format(extra=""))
    ingest(app, folder)
    ingest(app, folder)
    with app.app_context():
        from server.content.versions import count

        assert count(db.session()) == 1
