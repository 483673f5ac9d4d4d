"""Every API endpoint with every role: the access table allows or refuses, nothing unlisted."""

import re

import pytest

from server.api.access import API, EVERYONE, PUBLIC
from server.app import create_app
from server.people.users import add_user, create_token
from server.storage import db


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app = create_app({"HOME": str(tmp_path_factory.mktemp("access")), "MODEL": "",
                      "TESTING": True})
    with app.app_context():
        s = db.session()
        tokens = {role: create_token(s, add_user(s, f"user-{role}", role)) for role in EVERYONE}
    return app, tokens


def endpoints(app):
    """(endpoint, method, url with placeholders filled) for every /api rule."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.endpoint in PUBLIC:
            continue
        url = re.sub(r"<int:[^>]+>", "1", rule.rule)
        url = re.sub(r"<(?:path:)?[^>]+>", "x", url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, url))
    return out


def test_every_api_endpoint_is_in_the_access_table(world):
    app, _ = world
    listed = {endpoint for endpoint, _, _ in endpoints(app)}
    assert listed == set(API)
    public = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint in PUBLIC}
    assert public == PUBLIC  # each public endpoint exists, and needs no token
    assert app.test_client().get("/api/v1/openapi.json").status_code == 200


@pytest.mark.parametrize("role", EVERYONE)
def test_each_role_is_let_through_or_refused_as_the_table_says(world, role):
    app, tokens = world
    client = app.test_client()
    wrong = []
    for endpoint, method, url in endpoints(app):
        answer = client.open(url, method=method, json={},
                             headers={"Authorization": f"Bearer {tokens[role]}"})
        refused = answer.status_code == 403 and \
            (answer.get_json() or {}).get("error") == "forbidden_role"
        if refused == (role in API[endpoint]) or answer.status_code >= 500:
            wrong.append((method, url, answer.status_code))
    assert wrong == []


def test_without_a_token_every_endpoint_answers_401(world):
    app, _ = world
    client = app.test_client()
    codes = {(m, u): client.open(u, method=m, json={}).status_code
             for _, m, u in endpoints(app)}
    assert set(codes.values()) == {401}
