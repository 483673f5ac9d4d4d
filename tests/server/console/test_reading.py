"""Every card opens something: content with no address of its own is read in jitlearn, through
a link signed for the person it was made for."""

import time
from urllib.parse import urlsplit

import pytest

from index import ContentIndex, ingest_dir
from server.app import create_app
from server.content import reading
from server.people.users import add_user, create_token
from server.state import runtime_of
from server.storage import db
from server.suggest.engine import Engine

EXPENSES = {"context": {"title": "Expense report - Navan",
                        "text": "Submit receipts for the client dinner and the team offsite."}}
POLICY = "hb:expenses.md"


@pytest.fixture
def lib(tmp_path, extractor, tag):
    """A library whose documents have no address of their own (a folder, no template)."""
    folder = tmp_path / "handbook"
    folder.mkdir()
    (folder / "expenses.md").write_text(
        "# Expense policy\n\nSubmit every expense report with receipts within 30 days.\n\n"
        "Client dinners need the names of the guests and the business reason.")
    (folder / "api-security.md").write_text(
        "---\naudience: [engineering]\n---\n# API security\n\nRotate keys every quarter.")
    app = create_app({"HOME": str(tmp_path / "home"), "TESTING": True})
    ix = ContentIndex(tmp_path / "index")
    ingest_dir(ix, "hb", folder, tag)
    runtime_of(app).index, runtime_of(app).engine = ix, Engine(extractor, ix)
    return app


def person(app, name, groups=()):
    with app.app_context():
        user = add_user(db.session(), name, groups=list(groups))
        return user, {"Authorization": f"Bearer {create_token(db.session(), user)}"}


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_every_card_has_an_address_and_the_reading_page_shows_the_text(lib):
    client = lib.test_client()
    _, auth = person(lib, "ada")
    cards = client.post("/api/v1/suggestions", json=EXPENSES, headers=auth).get_json()
    found = client.get("/api/v1/search?q=expense", headers=auth).get_json()["results"]
    assert [c["id"] for c in cards["suggestions"]][:1] == [POLICY] == [r["id"] for r in found]
    link = cards["suggestions"][0]["url"]
    assert link.startswith("http://127.0.0.1:8000/read/hb:expenses.md?")
    page = client.get(local(link))  # a new tab: no token, no session
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Expense policy" in html and "names of the guests and the business reason" in html
    assert "#" not in html.split("<article", 1)[1]  # Markdown's marks are not shown as text
    assert html.count("Expense policy</h") == 1  # the title is said once
    assert "<script" not in html and "script-src 'none'" in page.headers[
        "Content-Security-Policy"]


def test_a_changed_or_ended_link_is_refused_with_a_page_that_says_why(lib):
    client = lib.test_client()
    user, _ = person(lib, "ben")
    with lib.app_context():
        link = local(reading.read_link(lib, user, POLICY))
        ended = int(time.time()) - 60
        old = (f"/read/{POLICY}?u={user.pseudonym}&e={ended}"
               f"&s={reading._sign(lib, POLICY, user.pseudonym, ended)}")
    assert client.get(link).status_code == 200
    changed = client.get(link.replace("expenses.md", "api-security.md"))
    assert changed.status_code == 403 and "changed" in changed.get_data(as_text=True)
    assert client.get(old).status_code == 410 and "ended" in client.get(old).get_data(
        as_text=True)
    assert client.get(f"/read/{POLICY}").status_code == 403
    assert client.get(f"/read/{POLICY}?u=é&e=9999999999&s=ß").status_code == 403  # any Unicode


def test_a_link_never_shows_a_document_outside_the_person_s_audience(lib):
    client = lib.test_client()
    outsider, _ = person(lib, "cy", groups=["finance"])
    engineer, _ = person(lib, "dee", groups=["engineering"])
    with lib.app_context():
        mine = local(reading.read_link(lib, engineer, "hb:api-security.md"))
        theirs = local(reading.read_link(lib, outsider, "hb:api-security.md"))
    assert client.get(mine).status_code == 200
    refused = client.get(theirs)
    assert refused.status_code == 404 and "not for you" in refused.get_data(as_text=True)
