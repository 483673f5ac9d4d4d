"""The web console through Flask's test client: sign-in, sessions, CSRF, roles, tagging."""

import re

import pytest

from server import db
from server.accounts import create_link, set_password
from server.people import add_user

PASSWORD = "correct horse battery"


@pytest.fixture
def people(app):
    with app.app_context():
        s = db.session()
        for name, role in (("lena", "ld"), ("ivy", "admin"), ("ada", "employee")):
            set_password(s, add_user(s, name, role), PASSWORD)
    return app


def csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def sign_in(client, name, password=PASSWORD):
    token = csrf(client.get("/console/login"))
    return client.post("/console/login", data={"name": name, "password": password,
                                               "csrf_token": token})


def test_sign_in_with_a_password_and_the_session_cookie_is_safe(people):
    client = people.test_client()
    assert client.get("/console/content").status_code == 302  # to the sign-in page
    answer = sign_in(client, "lena")
    assert answer.status_code == 302 and answer.headers["Location"] == "/console/"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    page = client.get("/console/content")
    assert page.status_code == 200 and "Content library" in page.get_data(as_text=True)
    over_tls = people.test_client()
    token = csrf(over_tls.get("/console/login", base_url="https://console.example.com"))
    secure = over_tls.post("/console/login", base_url="https://console.example.com",
                           data={"name": "lena", "password": PASSWORD, "csrf_token": token})
    assert "Secure" in secure.headers["Set-Cookie"]


def test_wrong_passwords_and_unknown_names_get_the_same_answer(people):
    client = people.test_client()
    wrong, unknown = sign_in(client, "lena", "nope"), sign_in(client, "nobody")
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match an active account" in wrong.get_data(as_text=True)


def test_a_post_without_the_csrf_token_is_refused(people):
    client = people.test_client()
    sign_in(client, "ivy")
    answer = client.post("/console/users/1", data={"action": "deactivate"})
    assert answer.status_code == 400 and "did not come from this site" in answer.get_data(
        as_text=True)
    with people.app_context():
        from server.models import User

        assert db.session().get(User, 1).active


def test_an_employee_cannot_open_l_and_d_or_admin_pages(people):
    client = people.test_client()
    sign_in(client, "ada")
    for path in ("/console/content", "/console/sources", "/console/users"):
        assert client.get(path).status_code == 403, path
    assert client.get("/console/me").status_code == 200
    assert client.get("/console/").headers["Location"] == "/console/me"


def test_a_one_time_link_signs_in_once(people):
    with people.app_context():
        from server.people import find_user

        token = create_link(db.session(), find_user(db.session(), "ada"))
    client = people.test_client()
    assert client.get(f"/console/login/{token}").status_code == 302
    assert people.test_client().get(f"/console/login/{token}").status_code == 401  # used


def test_an_idle_session_ends(people):
    client = people.test_client()
    sign_in(client, "lena")
    with client.session_transaction() as session:
        session["seen"] -= 31 * 60
    assert client.get("/console/content").status_code == 302


def test_tagging_a_document_in_the_console(people):
    client = people.test_client()
    sign_in(client, "lena")
    url = "/console/content/samples:guides/meetings.md"
    page = client.get(url)
    assert page.status_code == 200
    answer = client.post(url, data={"csrf_token": csrf(page), "action": "save",
                                    "topics": "meetings, remote-work", "skills": "",
                                    "tags": "", "audience": "", "type": "guide", "level": "",
                                    "duration": "0", "language": "en", "owner": "ops",
                                    "review_by": ""})
    assert answer.status_code == 302
    shown = client.get(url).get_data(as_text=True)
    assert "Saved: the new tags apply" in shown and 'value="ops"' in shown
    bad = client.post(url, data={"csrf_token": csrf(page), "action": "save",
                                 "topics": "no-such-topic", "type": "guide", "duration": "0"})
    assert "not in the taxonomy" in bad.get_data(as_text=True)


def test_deactivated_people_lose_the_console_and_their_tokens(people):
    from server.people import create_token, find_user

    with people.app_context():
        token = create_token(db.session(), find_user(db.session(), "ada"))
    ada = people.test_client()
    sign_in(ada, "ada")
    admin = people.test_client()
    sign_in(admin, "ivy")
    page = admin.get("/console/users")
    with people.app_context():
        ada_id = find_user(db.session(), "ada").id
    admin.post(f"/console/users/{ada_id}", data={"csrf_token": csrf(page),
                                                 "action": "deactivate"})
    assert ada.get("/console/me").status_code == 302
    assert people.test_client().get("/api/v1/me", headers={
        "Authorization": f"Bearer {token}"}).status_code == 401


def test_security_headers_on_the_console_and_the_api(people):
    client = people.test_client()
    page = client.get("/console/login")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    api = client.get("/healthz")
    assert api.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    for answer in (page, api):
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["X-Frame-Options"] == "DENY"


def test_organisation_sign_in_is_off_until_configured_and_says_when_unreachable(people):
    client = people.test_client()
    assert client.get("/console/oidc/login").status_code == 404
    assert "Sign in with" not in client.get("/console/login").get_data(as_text=True)
    people.config.update(OIDC_ISSUER="http://127.0.0.1:9", OIDC_CLIENT_ID="jitlearn",
                         FETCH_TIMEOUT=2)
    assert "Sign in with your organisation" in client.get("/console/login").get_data(
        as_text=True)
    answer = client.get("/console/oidc/login")
    assert answer.status_code == 502
    assert "could not be reached" in answer.get_data(as_text=True)
