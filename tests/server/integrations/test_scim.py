"""SCIM 2.0 provisioning as a directory uses it: people, their manager and department, groups as
audiences, deactivation, deletion; and the errors it gets for what it should not send."""

import json
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from server.storage import db
from server.storage.models import Profile, User

from ...conftest import database_at

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def directory(app, make_token):
    """call(method, path, body) -> (status, json) as the directory's admin token."""
    token = make_token("directory", "admin")
    client = app.test_client()

    def call(method, path, body=None, token=token, raw=None):
        answer = client.open("/scim/v2" + path, method=method,
                             data=raw if raw is not None else
                             (json.dumps(body) if body is not None else None),
                             headers={"Authorization": f"Bearer {token}",
                                      "Content-Type": "application/scim+json"})
        data = answer.get_json(force=True, silent=True)
        if answer.status_code >= 400:
            assert answer.mimetype == "application/scim+json"
            assert data["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
            assert data["status"] == str(answer.status_code)
        return answer.status_code, data

    return call


def person(name, **extra):
    return {"schemas": [USER, ENTERPRISE], "userName": name, "active": True, **extra}


def row(app, name) -> User:
    with app.app_context():
        user = db.session().scalar(select(User).where(User.name == name))
        db.session().expunge_all()
        return user


def test_provisioning_a_team_with_manager_department_and_group(app, directory):
    status, boss = directory("POST", "/Users", person(
        "grace@example.com", externalId="e-1", displayName="Grace Hopper",
        emails=[{"value": "grace.h@example.com", "type": "work", "primary": True}],
        **{ENTERPRISE: {"employeeNumber": "701", "department": "Finance"}}))
    assert status == 201 and boss["id"] and boss["meta"]["location"].endswith(boss["id"])
    status, ada = directory("POST", "/Users", person(
        "ada@example.com", **{ENTERPRISE: {"department": "Finance",
                                           "manager": {"value": boss["id"]}}}))
    assert status == 201
    assert ada[ENTERPRISE]["manager"]["value"] == boss["id"]
    status, group = directory("POST", "/Groups", {"schemas": [GROUP], "displayName": "Finance",
                                                  "members": [{"value": ada["id"]}]})
    assert status == 201 and group["members"] == [
        {"value": ada["id"], "$ref": ada["meta"]["location"]}]

    stored = row(app, "ada@example.com")
    assert stored.groups == ["finance"]  # the audience group content can be meant for
    assert stored.manager_id == row(app, "grace@example.com").id
    with app.app_context():
        assert db.session().get(Profile, stored.id).department == "Finance"
    grace = row(app, "grace@example.com")
    assert (grace.email, grace.employee_number, grace.external_id, grace.display_name) == (
        "grace.h@example.com", "701", "e-1", "Grace Hopper")
    assert directory("GET", f"/Users/{ada['id']}")[1]["groups"][0]["display"] == "Finance"

    # what a directory sends to find someone before it creates them
    status, found = directory("GET", '/Users?filter=userName%20eq%20%22ADA@example.com%22')
    assert status == 200 and [r["id"] for r in found["Resources"]] == [ada["id"]]
    assert directory("GET", '/Users?filter=externalId%20eq%20%22e-1%22')[1]["totalResults"] == 1
    status, found = directory("GET", "/Users?filter=" + f"{ENTERPRISE}:department eq \"Finance\""
                              + "&attributes=userName")
    assert found["totalResults"] == 2 and set(found["Resources"][0]) == {"id", "schemas",
                                                                         "userName"}

    # the group renamed, then Ada leaving it: her audience groups follow
    directory("PATCH", f"/Groups/{group['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": "displayName", "value": "Finance EMEA"}]})
    assert row(app, "ada@example.com").groups == ["finance emea"]
    status, _ = directory("PATCH", f"/Groups/{group['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "remove", "path": f'members[value eq "{ada["id"]}"]'}]})
    assert status == 200 and row(app, "ada@example.com").groups == []


def test_deactivation_stops_the_persons_tokens_at_once(app, directory, make_token):
    status, ada = directory("POST", "/Users", person("ada"))
    with app.app_context():
        from server.people.users import create_token

        token = create_token(db.session(), db.session().get(User, row(app, "ada").id))
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/me", headers=headers).status_code == 200
    # Azure sends the boolean as a string; either way she is deactivated
    status, after = directory("PATCH", f"/Users/{ada['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "Replace", "path": "active", "value": "False"}]})
    assert status == 200 and after["active"] is False
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    # back again: she may be given a new token; the old one stays revoked
    directory("PATCH", f"/Users/{ada['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "replace", "value": {"active": True}}]})
    assert row(app, "ada").active and api.get("/api/v1/me", headers=headers).status_code == 401


def test_deleting_a_person_removes_them(app, directory):
    _, ada = directory("POST", "/Users", person("ada"))
    assert directory("DELETE", f"/Users/{ada['id']}")[0] == 204
    assert directory("GET", f"/Users/{ada['id']}")[0] == 404
    assert row(app, "ada") is None
    # ids are never reused: a new Ada is someone else
    _, again = directory("POST", "/Users", person("ada"))
    assert again["id"] != ada["id"]


def test_patch_paths_directories_send(app, directory):
    _, ada = directory("POST", "/Users", person("ada"))
    _, boss = directory("POST", "/Users", person("boss"))
    modified = row(app, "ada").updated_at
    status, after = directory("PATCH", f"/Users/{ada['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "add", "path": f"{ENTERPRISE}:manager", "value": {"value": boss["id"]}},
        {"op": "replace", "path": f"{ENTERPRISE}:department", "value": "Legal"},
        {"op": "add", "path": 'emails[type eq "work"].value', "value": "ignored@example.com"},
        {"op": "add", "path": "emails", "value": [{"value": "ada@example.com"}]},
        {"op": "replace", "path": "name.givenName", "value": "Ada"},  # not kept, not refused
    ]})
    assert status == 200, after
    assert after[ENTERPRISE] == {"department": "Legal", "manager": {
        "value": boss["id"], "$ref": boss["meta"]["location"]}}
    assert after["emails"] == [{"value": "ada@example.com"}] and "name" not in after
    assert row(app, "ada").updated_at > modified  # meta.lastModified follows
    status, after = directory("PATCH", f"/Users/{ada['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "remove", "path": f"{ENTERPRISE}:manager"}]})
    assert status == 200 and "manager" not in after.get(ENTERPRISE, {})


@pytest.mark.parametrize("method,path,body,status,scim_type", [
    ("POST", "/Users", {"schemas": [USER]}, 400, "invalidValue"),  # no userName
    ("POST", "/Users", person("x" * 101), 400, "invalidValue"),
    ("POST", "/Users", person("ada", active="sometimes"), 400, "invalidValue"),
    ("POST", "/Users", person("ada", emails="ada@example.com"), 400, "invalidValue"),
    ("POST", "/Users", person("ada", **{ENTERPRISE: {"manager": {"value": "nobody"}}}), 400,
     "invalidValue"),
    ("POST", "/Users", [1, 2], 400, "invalidSyntax"),
    ("GET", "/Users?filter=userName%20regex%20%22a%22", None, 400, "invalidFilter"),
    ("GET", "/Users?count=many", None, 400, "invalidValue"),
    ("GET", "/Users/not-an-id", None, 404, ""),
    ("PATCH", "/Users/not-an-id", {"Operations": []}, 404, ""),
    ("GET", "/Nothing", None, 404, ""),
    ("DELETE", "/Users", None, 405, ""),
])
def test_bad_requests_get_scim_errors(directory, method, path, body, status, scim_type):
    answer_status, answer = directory(method, path, body)
    assert answer_status == status, answer
    assert answer.get("scimType", "") == scim_type
    assert "Traceback" not in json.dumps(answer)


def test_conflicts_loops_and_bad_patches(directory):
    _, ada = directory("POST", "/Users", person("ada"))
    _, ben = directory("POST", "/Users", person("ben", **{ENTERPRISE: {
        "manager": {"value": ada["id"]}}}))
    assert directory("POST", "/Users", person("ADA"))[1]["scimType"] == "uniqueness"
    directory("POST", "/Groups", {"displayName": "Finance"})
    assert directory("POST", "/Groups", {"displayName": "finance"})[0] == 409
    status, answer = directory("PATCH", f"/Users/{ada['id']}", {"Operations": [
        {"op": "add", "path": f"{ENTERPRISE}:manager", "value": {"value": ben["id"]}}]})
    assert status == 400 and "loop" in answer["detail"]
    for operations, scim_type in (([{"op": "move", "path": "active"}], "invalidSyntax"),
                                  ([{"op": "remove"}], "noTarget"),
                                  ([{"op": "add", "path": "a[b", "value": 1}], "invalidPath"),
                                  ("all of them", "invalidSyntax")):
        status, answer = directory("PATCH", f"/Users/{ada['id']}", {"Operations": operations})
        assert (status, answer["scimType"]) == (400, scim_type)
    assert directory("GET", f"/Users/{ada['id']}")[1]["userName"] == "ada"  # nothing lost


def test_only_an_admins_token_provisions(app, directory, make_token):
    assert directory("GET", "/Users", token="")[0] == 401
    assert directory("GET", "/Users", token="jl_unknown")[0] == 401
    assert directory("GET", "/Users", token=make_token("lena", "ld"))[0] == 403
    assert directory("POST", "/Users", raw=b"{not json")[1]["scimType"] == "invalidSyntax"
    assert directory("POST", "/Users", raw=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1))[0] \
        == 413
    # what the directory reads first needs no token: nothing personal in it
    assert directory("GET", "/ServiceProviderConfig", token="")[0] == 200
    assert {s["id"] for s in directory("GET", "/Schemas", token="")[1]["Resources"]} == {
        USER, ENTERPRISE, GROUP}


def test_what_a_directory_leaves_out_stays_as_it_was(app, directory):
    """A PUT without active does not re-admit someone deactivated; one without the enterprise
    extension keeps the department the person entered themselves."""
    _, ada = directory("POST", "/Users", person("ada"))
    with app.app_context():
        db.session().add(Profile(user_id=row(app, "ada").id, department="Research",
                                 target_roles=[], goals=[], languages=[], privacy={}))
        db.session().commit()
    directory("PATCH", f"/Users/{ada['id']}", {"Operations": [
        {"op": "replace", "path": "active", "value": False}]})
    status, after = directory("PUT", f"/Users/{ada['id']}", {"schemas": [USER],
                                                             "userName": "ada"})
    assert status == 200 and after["active"] is False
    assert after[ENTERPRISE] == {"department": "Research"}
    status, after = directory("PUT", f"/Users/{ada['id']}", person("ada", **{ENTERPRISE: {}}))
    assert status == 200 and after["active"] is True and ENTERPRISE not in after


# leaves as a hostile directory may send them: lone surrogates, integers past 64 bits
LONE = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=2)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.integers(min_value=2**64)
                    | st.text(max_size=20) | LONE,
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                        st.text(max_size=10), inner, max_size=3), max_leaves=8)
PATHS = st.sampled_from(["active", "userName", "emails", "emails.value", "displayName",
                         'emails[value eq "x"]', 'emails[value eq "\\q"].value', "members",
                         f"{ENTERPRISE}:manager", f"{ENTERPRISE}:manager.value", ENTERPRISE,
                         f"{ENTERPRISE}:department", "groups", "id", "meta", "a[b", "", None,
                         "urn:nothing:x", 'members[value eq "1"]']) | st.text(max_size=30)
OPERATION = st.fixed_dictionaries({"op": st.sampled_from(["add", "replace", "remove", "Add",
                                                          "move", 1])},
                                  optional={"path": PATHS, "value": JSON})


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATION, max_size=3) | JSON,
       filters=st.text(max_size=40) | st.sampled_from(['userName eq "\\x"', "active pr",
                                                       'emails co "a" and id ne null',
                                                       'userName eq "\\ud800"',
                                                       'userName eq "a\ud800"',
                                                       f"userName eq {2**70}"]),
       start=st.integers() | st.integers(min_value=2**63))
def test_hostile_patches_and_filters_never_break_the_server(app, directory, operations, filters,
                                                            start):
    """Whatever a directory sends: a SCIM answer, never a 500, and the person still reads."""
    app.config.update(RATE_PER_TOKEN=0, RATE_PER_IP=0)  # hundreds of requests in a few seconds
    found = directory("GET", '/Users?filter=userName%20eq%20%22ada%22')[1]["Resources"]
    ident = found[0]["id"] if found else directory("POST", "/Users", person("ada"))[1]["id"]
    found = directory("GET", '/Groups?filter=displayName%20eq%20%22g%22')[1]["Resources"]
    group = found[0]["id"] if found else directory("POST", "/Groups", {
        "displayName": "g", "members": [{"value": ident}]})[1]["id"]
    for path in (f"/Users/{ident}", f"/Groups/{group}"):
        status, _ = directory("PATCH", path, {"Operations": operations})
        assert status < 500
    query = urlencode({"filter": filters}, errors="surrogatepass")  # a lone one as sent
    status, _ = directory("GET", "/Users?" + query)
    assert status in (200, 400)
    status, _ = directory("GET", f"/Users?startIndex={start}&count={start}")
    assert status in (200, 400)
    status, after = directory("GET", f"/Users/{ident}")
    assert status == 200 and after["userName"]
    assert directory("GET", f"/Groups/{group}")[0] == 200


def test_people_from_before_provisioning_get_their_scim_id_from_the_migration(tmp_path):
    """A database made before migration 0013: its people get distinct ids on the upgrade, so a
    directory can find them by userName and take them over."""
    from sqlalchemy import create_engine, text

    from server.storage.db import upgrade

    database_at(tmp_path / "old.db", "0012", ("ada", "ben"))
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT directory_id, updated_at, created_at FROM users")).all()
    engine.dispose()
    ids = [r[0] for r in rows]
    assert len(ids) == 2 and all(len(i) == 36 for i in ids) and ids[0] != ids[1]
    assert all(r[1] == r[2] for r in rows)  # lastModified starts as created
