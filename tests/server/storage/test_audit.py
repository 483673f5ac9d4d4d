"""The audit trail records who did what from where, shows it to admins and exports it; API
tokens can expire and be scoped."""

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from server.cli import main
from server.console.accounts import set_password
from server.people.users import add_user, create_token
from server.storage import db

from ..conftest import PASSWORD, csrf, sign_in


@pytest.fixture
def people(app):
    with app.app_context():
        s = db.session()
        for name, role in (("ivy", "admin"), ("lena", "ld"), ("ada", "employee")):
            set_password(s, add_user(s, name, role), PASSWORD)
    return app


def trail(app) -> list[dict]:
    from server.storage.audit import as_dict, entries

    with app.app_context():
        return [as_dict(e) for e in reversed(entries(db.session()))]


def test_console_actions_are_recorded_with_who_what_and_where(people):
    admin = people.test_client()
    sign_in(people.test_client(), "ivy", "a wrong password")
    sign_in(admin, "ivy")
    for action, extra in (("role", {"role": "manager"}), ("token", {}), ("link", {}),
                          ("deactivate", {"confirm": "yes"})):
        admin.post("/console/users/3", data={"action": action, "csrf_token": csrf(
            admin.get("/console/users")), **extra})
    admin.post("/console/logout", data={"csrf_token": csrf(admin.get("/console/me"))})
    got = [(e["actor"], e["action"], e["target"]) for e in trail(people)]
    assert got == [("", "sign-in.failed", "ivy"), ("ivy", "sign-in", "ivy"),
                   ("ivy", "role.change", "ada"), ("ivy", "token.create", "ada"),
                   ("ivy", "link.create", "ada"), ("ivy", "user.deactivate", "ada"),
                   ("ivy", "sign-out", "ivy")]
    entries = trail(people)
    assert all(e["address"] == "127.0.0.1" for e in entries)
    assert entries[2]["detail"] == {"before": "employee", "after": "manager"}
    assert not any("jl_" in json.dumps(e) for e in entries)  # never the token itself


def test_admins_read_and_download_the_trail_and_nobody_else_does(people):
    lena, admin = people.test_client(), people.test_client()
    sign_in(lena, "lena")
    assert lena.get("/console/audit").status_code == 403
    assert lena.get("/console/audit.jsonl").status_code == 403
    sign_in(admin, "ivy")
    page = admin.get("/console/audit?action=sign-").get_data(as_text=True)
    assert "sign-in" in page and "lena" in page
    download = admin.get("/console/audit.jsonl")
    assert download.headers["Content-Disposition"].startswith("attachment")
    lines = [json.loads(line) for line in download.get_data(as_text=True).splitlines()]
    assert [line["action"] for line in lines] == ["sign-in", "sign-in"]
    assert {"at", "actor", "action", "target", "detail", "address"} <= set(lines[0])


def test_the_api_scim_and_cli_are_recorded_too(people, tmp_path, monkeypatch):
    from server.people.users import find_user

    with people.app_context():
        token = create_token(db.session(), find_user(db.session(), "ivy"))
    auth = {"Authorization": f"Bearer {token}"}
    client = people.test_client()
    client.post("/scim/v2/Users", json={"userName": "newbie", "schemas": [
        "urn:ietf:params:scim:schemas:core:2.0:User"]}, headers=auth)
    client.post("/api/v1/sources", json={"name": "blog", "kind": "feed",
                                         "location": "https://blog.example.com/feed"},
                headers=auth)
    got = [(e["actor"], e["action"], e["target"]) for e in trail(people)]
    assert got == [("scim:ivy", "scim.user.create", "newbie"), ("ivy", "source.add", "blog")]

    monkeypatch.setenv("JITLEARN_HOME", str(tmp_path / "cli-home"))
    runner = CliRunner()
    runner.invoke(main, ["users", "add", "kim"], catch_exceptions=False)
    runner.invoke(main, ["tokens", "create", "kim", "--expires", "90d", "--scope", "read"],
                  catch_exceptions=False)
    out = runner.invoke(main, ["audit", "export"], catch_exceptions=False).output
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(x["actor"], x["action"], x["target"]) for x in lines] == [
        ("cli", "user.add", "kim"), ("cli", "token.create", "kim")]
    assert lines[1]["detail"]["scope"] == "read" and lines[1]["address"] == ""


def test_tokens_expire_and_keep_to_their_scope(people, tmp_path, monkeypatch):
    client = people.test_client()
    with people.app_context():
        s = db.session()
        ivy = add_user(s, "root", "admin")
        expired = create_token(s, ivy, expires=timedelta(seconds=-1))
        reader = create_token(s, ivy, scope="read")
        provisioner = create_token(s, ivy, scope="scim")

    def call(method, path, token, body=None):
        return client.open(path, method=method, json=body,
                           headers={"Authorization": f"Bearer {token}"})

    answer = call("GET", "/api/v1/me", expired)
    assert answer.status_code == 401 and "expired" in answer.get_json()["message"]
    assert call("GET", "/api/v1/sources", reader).status_code == 200
    answer = call("POST", "/api/v1/suggestions", reader, {"context": {"title": "Expenses"}})
    assert answer.status_code == 403 and "only read" in answer.get_json()["message"]
    assert call("GET", "/scim/v2/Users", reader).status_code == 403
    assert call("GET", "/api/v1/sources", provisioner).status_code == 403
    assert call("GET", "/scim/v2/Users", provisioner).status_code == 200
    monkeypatch.setenv("JITLEARN_HOME", str(tmp_path / "cli-home"))
    result = CliRunner().invoke(main, ["tokens", "create", "x", "--expires", "soon"])
    assert result.exit_code != 0 and "90d" in result.output
