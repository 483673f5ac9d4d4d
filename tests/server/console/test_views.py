"""The web console through Flask's test client: sign-in, sessions, CSRF, roles, tagging."""

import json
import re
from datetime import timedelta

import pytest

from nlp import Context
from server.console.accounts import create_link, set_password
from server.people.users import add_user
from server.runtime import engine_of, index_of
from server.storage import db

from ..conftest import PASSWORD, csrf, sign_in


@pytest.fixture
def people(app):
    with app.app_context():
        s = db.session()
        for name, role in (("lena", "ld"), ("ivy", "admin"), ("ada", "employee")):
            set_password(s, add_user(s, name, role), PASSWORD)
    return app


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
        from server.storage.models import User

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
        from server.people.users import find_user

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


def test_ld_rejects_a_proposal_takes_it_back_and_adds_a_topic_picked_by_name(people):
    client = people.test_client()
    sign_in(client, "lena")
    url = "/console/content/samples:guides/meetings.md"
    page = client.get(url).get_data(as_text=True)
    proposed = re.search(r'name="action" value="reject">\s*<input type="hidden" name="topic" '
                         r'value="([^"]+)">', page).group(1)

    def post(action, topic):
        token = csrf(client.get(url))
        client.post(url, data={"csrf_token": token, "action": action, "topic": topic})
        return client.get(url).get_data(as_text=True)

    page = post("reject", proposed)
    assert ", rejected)" in page and "Take the rejection back" in page
    with people.app_context():
        assert proposed not in index_of(people).get("samples:guides/meetings.md").topics
    page = post("unreject", proposed)
    assert ", rejected)" not in page
    with people.app_context():
        assert proposed in index_of(people).get("samples:guides/meetings.md").topics
    page = post("accept", "Remote work")  # typed as the label, as the list shows it
    with people.app_context():
        assert "remote-work" in index_of(people).get("samples:guides/meetings.md").topics
    post("reject", proposed)
    client.post(url, data={"csrf_token": csrf(client.get(url)), "action": "reset",
                           "confirm": "yes"})
    with people.app_context():  # every decision L&D made here is gone, the rejection too
        topics = index_of(people).get("samples:guides/meetings.md").topics
        assert proposed in topics and "remote-work" not in topics


def test_a_tag_change_is_previewed_on_the_saved_pages_before_it_is_saved(people, tmp_path):
    pages = tmp_path / "judged.jsonl"
    pages.write_text("".join(json.dumps(p) + "\n" for p in (
        {"id": "navan", "context": {"title": "Expense report - Navan",
                                    "url": "https://app.navan.com/expenses"}},
        {"id": "football", "context": {"title": "Premier League results - BBC Sport"}})))
    people.config["EVAL_JUDGMENTS"] = str(pages)
    client = people.test_client()
    sign_in(client, "lena")
    url = "/console/content/samples:policies/expenses.md"
    form = {"csrf_token": csrf(client.get(url)), "action": "preview", "topics": "expenses",
            "skills": "", "tags": "", "audience": "finance", "type": "policy", "level": "",
            "duration": "0", "language": "en", "owner": "", "review_by": "", "mandatory": "on"}
    page = client.post(url, data=form).get_data(as_text=True)
    preview = " ".join(re.search(r'aria-labelledby="preview-h">(.*?)</section>', page,
                                 re.S)[1].split())
    assert "On 2 saved pages, this change:" in preview
    assert ("would take Expense Policy out of the first 10 (from #1) for “Expense report - "
            "Navan” <strong>(no longer shown)</strong>") in preview  # finance only, now
    assert "Premier League" not in preview  # nothing moves on a page it was never on
    with people.app_context():  # a preview saves nothing, and the live engine is untouched
        assert "finance" not in index_of(people).get("samples:policies/expenses.md").audience
        answer = engine_of(people).suggest(Context(title="Expense report - Navan",
                                                   text="itemised receipts for travel"))
        assert answer.suggestions[0].id == "samples:policies/expenses.md"
    # the same change can be saved from the preview (not here: the sample index is shared)
    assert re.search(r'<input type="hidden" name="audience" value="finance">', page)
    assert '<button type="submit" name="action" value="save">Save these tags</button>' in page


def test_deactivated_people_lose_the_console_and_their_tokens(people):
    from server.people.users import create_token, find_user

    with people.app_context():
        token = create_token(db.session(), find_user(db.session(), "ada"))
    ada = people.test_client()
    sign_in(ada, "ada")
    admin = people.test_client()
    sign_in(admin, "ivy")
    page = admin.get("/console/users")
    assert "<title>Users · jitlearn console</title>" in page.get_data(as_text=True)
    with people.app_context():
        ada_id = find_user(db.session(), "ada").id
    asked = admin.post(f"/console/users/{ada_id}", data={"csrf_token": csrf(page),
                                                         "action": "deactivate"})
    assert "Deactivate ada?" in asked.get_data(as_text=True)  # asked first: nothing changed
    assert ada.get("/console/me").status_code == 200
    admin.post(f"/console/users/{ada_id}", data={"csrf_token": csrf(page),
                                                 "action": "deactivate", "confirm": "yes"})
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


EXTENSION = "chrome-extension://agphlekpiaoblfclgcbkmfoneiploppe/connected.html"


def connect_link(redirect=EXTENSION, challenge=None, state="a-state-of-16-chars"):
    from urllib.parse import urlencode

    from server.integrations.oidc import challenge as s256

    return "/console/connect?" + urlencode({
        "redirect_uri": redirect, "state": state, "code_challenge_method": "S256",
        "code_challenge": challenge or s256("v" * 50)})


def test_the_extension_connects_through_the_console_with_pkce(people):
    from urllib.parse import parse_qs, urlparse

    client = people.test_client()
    link = connect_link()
    assert "/console/login" in client.get(link).headers["Location"]  # sign in first
    sign_in(client, "ada")
    page = client.get(link)
    assert page.status_code == 200 and "as <strong>ada</strong>" in page.get_data(as_text=True)
    answer = client.post(link, data={"csrf_token": csrf(page)})
    assert answer.status_code == 303 and answer.headers["Location"].startswith(EXTENSION + "?")
    sent = parse_qs(urlparse(answer.headers["Location"]).query)
    assert sent["state"] == ["a-state-of-16-chars"]
    code, api = sent["code"][0], people.test_client()

    def redeem(verifier, redirect=EXTENSION):
        return api.post("/api/v1/connect", json={"code": code, "code_verifier": verifier,
                                                 "redirect_uri": redirect})

    assert redeem("w" * 50).status_code == 400  # someone who saw the code, without the verifier
    assert redeem("v" * 50, EXTENSION.replace("connected", "other")).status_code == 400
    answer = redeem("v" * 50)
    assert answer.status_code == 201 and answer.get_json()["name"] == "ada"
    token = answer.get_json()["token"]
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    again = redeem("v" * 50)
    assert again.status_code == 400 and "unknown, used, expired" in again.get_json()["message"]


def test_connect_links_for_other_pages_or_without_pkce_are_refused(people):
    client = people.test_client()
    sign_in(client, "ada")
    for link in (connect_link("https://evil.example.com/connected.html"),
                 connect_link("chrome-extension://" + "b" * 32 + "/connected.html"),
                 connect_link(EXTENSION + "?x=1"), connect_link(challenge="short"),
                 connect_link(state=""), "/console/connect"):
        answer = client.get(link)
        assert answer.status_code == 400, link
        assert "does not come from a jitlearn extension" in answer.get_data(as_text=True) or \
            "S256" in answer.get_data(as_text=True)
        assert client.post(link, data={"csrf_token": "x"}).status_code == 400


def test_an_expired_connect_code_is_refused(people):
    from datetime import timedelta

    from server.errors import ApiError
    from server.integrations.connect import redeem
    from server.storage.models import ConnectCode

    client = people.test_client()
    sign_in(client, "ada")
    link = connect_link()
    location = client.post(link, data={"csrf_token": csrf(client.get(link))}).headers["Location"]
    code = location.split("code=")[1].split("&")[0]
    with people.app_context():
        for row in db.session().query(ConnectCode):
            row.expires_at -= timedelta(minutes=5)
        db.session().commit()
        with pytest.raises(ApiError, match="unknown, used, expired"):
            redeem(db.session(), code, "v" * 50, EXTENSION)


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def with_cookie(app, value):
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def test_a_copied_cookie_stops_working_at_sign_out(people):
    client = people.test_client()
    sign_in(client, "ivy")
    copied = cookie_of(client)
    assert with_cookie(people, copied).get("/console/users").status_code == 200
    client.post("/console/logout", data={"csrf_token": csrf(client.get("/console/me"))})
    thief = with_cookie(people, copied)
    assert thief.get("/console/users").status_code == 302  # to the sign-in page
    assert thief.get("/console/me").status_code == 302  # no page, so no form to post either


def test_a_new_password_needs_the_current_one_and_ends_the_other_sessions(people):
    here, elsewhere = people.test_client(), people.test_client()
    sign_in(here, "ada")
    sign_in(elsewhere, "ada")
    page = here.post("/console/me", data={"action": "password", "password": "a new long password",
                                          "csrf_token": csrf(here.get("/console/me"))},
                     follow_redirects=True)
    assert "current password is not right" in page.get_data(as_text=True)
    assert sign_in(people.test_client(), "ada", "a new long password").status_code == 401
    page = here.post("/console/me", data={
        "action": "password", "password": "a new long password", "current_password": PASSWORD,
        "csrf_token": csrf(here.get("/console/me"))}, follow_redirects=True)
    assert "Password set" in page.get_data(as_text=True)
    assert here.get("/console/me").status_code == 200  # this session goes on
    assert elsewhere.get("/console/me").status_code == 302  # the other one ended


def test_a_role_change_or_deactivation_ends_the_persons_sessions(people):
    admin, lena = people.test_client(), people.test_client()
    sign_in(admin, "ivy")
    sign_in(lena, "lena")
    with people.app_context():
        from server.people.users import find_user

        lena_id, ada_id = (find_user(db.session(), n).id for n in ("lena", "ada"))
    admin.post(f"/console/users/{lena_id}", data={"action": "role", "role": "employee",
                                                  "csrf_token": csrf(admin.get("/console/users"))})
    assert lena.get("/console/me").status_code == 302
    ada = people.test_client()
    sign_in(ada, "ada")
    admin.post(f"/console/users/{ada_id}", data={"action": "deactivate", "confirm": "yes",
                                                 "csrf_token": csrf(admin.get("/console/users"))})
    assert ada.get("/console/me").status_code == 302


def test_a_session_ends_at_its_absolute_lifetime_however_active(people):
    from sqlalchemy import update

    from server.storage.models import ConsoleSession, now

    client = people.test_client()
    sign_in(client, "lena")
    assert client.get("/console/me").status_code == 200
    with people.app_context():
        s = db.session()
        s.execute(update(ConsoleSession).values(created_at=now() - timedelta(hours=13)))
        s.commit()
    assert client.get("/console/me").status_code == 302
    with people.app_context():  # the daily purge deletes what has ended
        from server.console.sessions import purge_sessions

        assert purge_sessions(db.session(), 12) >= 1
        db.session().commit()
        assert db.session().query(ConsoleSession).filter(
            ConsoleSession.created_at < now() - timedelta(hours=12)).count() == 0


def test_the_cookie_holds_no_secret_only_a_random_id(people):
    admin = people.test_client()
    sign_in(admin, "ivy")
    answer = admin.post("/console/users/3", data={"action": "token",
                                                  "csrf_token": csrf(admin.get("/console/users"))})
    page = admin.get("/console/users").get_data(as_text=True)
    token = re.search(r"shown once\): (\S+)", page).group(1).rstrip("<")
    cookies = " ".join(answer.headers.getlist("Set-Cookie")) + cookie_of(admin)
    assert token[:20] not in cookies
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", cookie_of(admin))


def test_the_library_ranks_words_by_relevance_and_shows_owner_review_date_and_staleness(people):
    client = people.test_client()
    sign_in(client, "lena")

    def rows(**query):
        page = client.get("/console/content", query_string=query).get_data(as_text=True)
        body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        return [re.sub(r"<[^>]+>", " ", row).split() for row in body.split("<tr>")[1:]]

    by_words = rows(q="expense report receipts")
    assert " ".join(by_words[0][:2]) == "Expense Policy"  # the best match first, not A to Z
    by_title = rows()
    assert [r[0] for r in by_title] == sorted((r[0] for r in by_title), key=str.lower)
    page = client.get("/console/content").get_data(as_text=True)
    assert "<th scope=\"col\">Owner</th>" in page and "<th scope=\"col\">Stale</th>" in page
    kept = rows(owner="Finance")  # any case
    assert kept and all("finance" in row for row in kept)
    assert rows(owner="nobody-keeps-this") == []
    assert client.get("/console/content", query_string={"page": "²"}).status_code == 200
    common = client.get("/console/content", query_string={"q": "the of"}).get_data(as_text=True)
    assert rows(q="the of") == [] and "only words so common" in common
    assert "only words so common" not in client.get(
        "/console/content", query_string={"q": "zzzunknownword"}).get_data(as_text=True)
