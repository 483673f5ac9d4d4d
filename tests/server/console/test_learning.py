"""My learning: an employee's home in the console, used as an employee would, form by form."""

import json
import re
from pathlib import Path

import pytest

from server.career.imports import import_roles
from server.console.accounts import set_password
from server.people.users import add_user
from server.storage import db

from ..conftest import PASSWORD, csrf, sign_in

CAREER = Path(__file__).resolve().parents[3] / "samples" / "career" / "roles.csv"


@pytest.fixture
def ada(app):
    with app.app_context():
        s = db.session()
        import_roles(s, CAREER)
        set_password(s, add_user(s, "ada", "employee", groups=["engineering"]), PASSWORD)
        set_password(s, add_user(s, "bob", "manager", groups=["managers"]), PASSWORD)
    client = app.test_client()
    sign_in(client, "ada")
    return client


def send(client, action: str, **fields):
    token = csrf(client.get("/console/me"))
    answer = client.post("/console/me", data={"action": action, "csrf_token": token, **fields},
                         follow_redirects=True)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def section(html: str, heading_id: str) -> str:
    """The text of one section of the page, tags stripped."""
    found = re.search(rf'aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))) if found else ""


def test_a_new_employee_sets_a_role_a_target_and_ratings_and_sees_gaps_and_feed(ada):
    page = ada.get("/console/me").get_data(as_text=True)
    assert "<h1>My learning</h1>" in page
    assert "Add a target role to see what it needs" in section(page, "gaps-h")

    page = send(ada, "profile", current_title="Software Engineer", department="Platform",
                goals="Become an engineering manager")
    assert "Matched to the role Software Engineer" in section(page, "role-h")

    looked = ada.get("/console/me?role_q=engineering+manager").get_data(as_text=True)
    assert "Engineering Manager our roles" in section(looked, "role-h")  # and where it is from
    role_id = re.search(r'name="role_id" value="([^"]*engineering-manager)"', looked).group(1)
    page = send(ada, "add_target", role_id=role_id)
    assert "Target roles saved." in page and "Remove Engineering Manager" in page

    # the skills offered for rating are those the target role needs
    skill = re.search(r'<option value="([^"]+)">Budgeting</option>', page).group(1)
    page = send(ada, "rate", skill=skill, level="1")
    assert "Saved: Budgeting at Novice." in page
    assert "Budgeting" in section(page, "skills-h") and "you:" in section(page, "skills-h")

    gaps = section(page, "gaps-h")
    assert re.search(r"Budgeting ?: needed: \w+, typical of Engineering Manager; you: novice, "
                     r"your rating", gaps)
    assert "Start with:" in gaps
    feed = section(page, "feed-h")
    assert re.search(r"Why: Builds [a-z ]+, needed for Engineering Manager, your target role", feed)


def test_mandatory_items_have_their_own_block_and_leave_it_once_acknowledged(ada):
    page = ada.get("/console/me").get_data(as_text=True)
    required = section(page, "required-h")
    assert required.startswith(" To acknowledge (")
    count = int(re.match(r" To acknowledge \((\d+)\)", required).group(1))
    assert count > 5 and f"{count - 5} more to acknowledge" in required  # the rest folded
    assert "Mandatory" not in section(page, "feed-h")  # not mixed into the feed's pages
    first = re.search(r'aria-labelledby="required-h">.*?name="request_id" value="([^"]+)">'
                      r'\s*<input type="hidden" name="content_id" value="([^"]+)"', page, re.S)
    request_id, content_id = first.groups()
    page = send(ada, "feed", what="acknowledged", request_id=request_id, content_id=content_id)
    assert "Acknowledged." in page
    assert f'name="content_id" value="{content_id}"' not in page.split('id="role-h"')[0]
    assert "Acknowledged (1)" in section(page, "kept-h")


def test_a_made_up_feed_item_or_level_is_refused_with_a_reason(ada):
    page = send(ada, "feed", what="acknowledged", request_id="nope", content_id="x")
    assert "no suggestions with this request_id were given to you" in page
    assert "Pick a level" in send(ada, "rate", skill="Budgeting", level="")
    assert "That form is not one of this page" in send(ada, "explode")
    assert "is not something to do with a feed item" in send(ada, "feed", what="delete")


def test_asking_for_feedback_says_the_same_for_anyone(ada):
    assert "If bob has an account here" in send(ada, "ask_peer", peer="bob")
    assert "If nobody-here has an account here" in send(ada, "ask_peer", peer="nobody-here")


def test_my_data_exports_and_deletes_after_a_confirmation(ada):
    send(ada, "profile", current_title="Software Engineer", goals="Learn budgeting")
    exported = ada.get("/console/me/export")
    assert exported.headers["Content-Disposition"].startswith("attachment")
    assert json.loads(exported.data)["profile"]["goals"] == ["Learn budgeting"]

    token = csrf(ada.get("/console/me"))
    asked = ada.post("/console/me/delete", data={"csrf_token": token}).get_data(as_text=True)
    assert "Delete everything jitlearn stores about you?" in asked
    assert "Learn budgeting" in ada.get("/console/me").get_data(as_text=True)  # not yet
    done = ada.post("/console/me/delete", data={"csrf_token": token, "confirm": "yes"},
                    follow_redirects=True).get_data(as_text=True)
    assert "Everything about you is deleted" in done and "Learn budgeting" not in done


def test_a_manager_posts_an_opportunity_an_employee_says_interested_and_is_accepted(ada, app):
    """In the console: bob posts, ada (aiming at Engineering Manager) finds it in My learning
    with why and says she is interested; bob alone sees her and accepts; filled, it is gone."""
    bob = app.test_client()
    sign_in(bob, "bob")
    page = bob.get("/console/opportunities").get_data(as_text=True)
    assert "Post an opportunity" in page
    posted = bob.post("/console/opportunities", follow_redirects=True, data={
        "csrf_token": csrf(bob.get("/console/opportunities")), "title": "Join the budgeting cycle",
        "kind": "cycle", "skills": "Budgeting", "hours_per_week": "2", "ends": "2099-01-31",
        "places": "Remote\nBerlin", "description": "Help finance consolidate the budget.",
        "open_until": "", "starts": "", "audience": ""}).get_data(as_text=True)
    assert "Posted “Join the budgeting cycle”" in posted
    assert ada.get("/console/opportunities").status_code == 403  # employees do not post

    send(ada, "profile", current_title="Software Engineer")
    looked = ada.get("/console/me?role_q=engineering+manager").get_data(as_text=True)
    send(ada, "add_target", role_id=re.search(
        r'name="role_id" value="([^"]*engineering-manager)"', looked).group(1))
    mine = section(ada.get("/console/me").get_data(as_text=True), "opps-h")
    assert "Join the budgeting cycle" in mine
    assert ("Why: Builds budgeting, needed for Engineering Manager, your target role; 2 h a "
            "week until 31 January") in mine
    number = re.search(r'/console/opportunities/(\d+)', posted).group(1)
    page = send(ada, "interest", opportunity=number, note="Count me in")
    assert "only they see it" in page
    assert "Where you said you're interested" in section(page, "opps-h")

    detail = bob.get(f"/console/opportunities/{number}").get_data(as_text=True)
    assert "ada" in section(detail, "people-h") and "Count me in" in section(detail, "people-h")
    user_id = re.search(r'name="user_id" value="(\d+)"', detail).group(1)
    bob.post(f"/console/opportunities/{number}", data={
        "csrf_token": csrf(bob.get(f"/console/opportunities/{number}")), "action": "accept",
        "user_id": user_id})
    assert "accepted by the owner" in section(ada.get("/console/me").get_data(as_text=True),
                                              "opps-h")
    form = {"csrf_token": csrf(bob.get(f"/console/opportunities/{number}")),
            "title": "Join the budgeting cycle", "kind": "cycle", "skills": "Budgeting",
            "state": "filled", "hours_per_week": "", "ends": "", "open_until": "",
            "starts": "", "places": "", "audience": "", "description": ""}
    saved = bob.post(f"/console/opportunities/{number}", data=form, follow_redirects=True)
    assert "no longer shown to anyone" in saved.get_data(as_text=True)
    mine = section(ada.get("/console/me").get_data(as_text=True), "opps-h")
    assert "No other open opportunity builds your gaps" in mine and "no longer open" in mine
    # a wrong field is said, and nothing changes
    form.update(csrf_token=csrf(bob.get(f"/console/opportunities/{number}")),
                ends="31/01/2099", state="open")
    refused = bob.post(f"/console/opportunities/{number}", data=form,
                       follow_redirects=True).get_data(as_text=True)
    assert "Not saved: ends: a date as YYYY-MM-DD" in refused and ">filled</span>" in refused


def test_an_employee_offers_to_be_asked_about_a_skill_and_withdraws(ada):
    send(ada, "profile", current_title="Software Engineer")
    page = send(ada, "offer_expertise", skill="org:skill:programming", rating="on")
    assert "Colleagues may now ask you about Programming" in page
    assert "Programming showing: my rating of it" in section(page, "experts-h")
    page = send(ada, "withdraw_expertise", skill="org:skill:programming")
    assert "showing" not in section(page, "experts-h")
