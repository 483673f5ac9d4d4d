"""Sources from the console: add one, change its schedule and address template, remove it."""

import pytest

from server.app import create_app
from server.console.accounts import set_password
from server.people.users import add_user
from server.runtime import index_of
from server.storage import db

from ..conftest import PASSWORD, csrf, sign_in


@pytest.fixture
def lena(tmp_path):
    """L&D signed in to a console whose server may take folders under tmp_path/library."""
    folder = tmp_path / "library" / "handbook"
    (folder / "finance").mkdir(parents=True)
    (folder / "finance" / "expenses.md").write_text("# Expense policy\nReceipts within 30 days.")
    app = create_app({"HOME": str(tmp_path / "home"), "MODEL": "", "TESTING": True,
                      "SOURCE_ROOTS": str(tmp_path / "library")})
    with app.app_context():
        set_password(db.session(), add_user(db.session(), "lena", "ld"), PASSWORD)
    client = app.test_client()
    sign_in(client, "lena")
    return app, client, folder


def post(client, path, **form):
    token = csrf(client.get("/console/sources"))
    return client.post(path, data={"csrf_token": token, **form}, follow_redirects=True)


def test_l_and_d_add_a_source_change_its_addresses_and_remove_it_after_a_question(lena):
    app, client, folder = lena
    page = post(client, "/console/sources", name="hb", kind="folder", location=str(folder),
                every="60").get_data(as_text=True)
    assert "Added hb" in page
    post(client, "/console/sources/hb/sync")
    with app.app_context():
        assert index_of(app).get("hb:finance/expenses.md").url == ""  # no template yet
    page = post(client, "/console/sources/hb", every="30",
                url_template="https://handbook.example.com/{path}").get_data(as_text=True)
    assert "reads every file again" in page and "every 30 minutes" in page
    post(client, "/console/sources/hb/sync")  # the file did not change: read again all the same
    with app.app_context():
        assert index_of(app).get("hb:finance/expenses.md").url == \
            "https://handbook.example.com/finance/expenses"
    refused = post(client, "/console/sources/hb", every="30", url_template="{path}.html")
    assert "Not saved: an address template is an http(s) address" in refused.get_data(
        as_text=True)
    asked = post(client, "/console/sources/hb/remove").get_data(as_text=True)
    assert "Remove hb?" in asked and "Its 1 documents leave the library" in asked
    with app.app_context():
        assert index_of(app).get("hb:finance/expenses.md") is not None  # asking removed nothing
    done = post(client, "/console/sources/hb/remove", confirm="yes").get_data(as_text=True)
    assert "Removed hb; 1 documents withdrawn" in done and "Sync now: hb" not in done


def test_a_source_outside_the_allowed_folders_is_not_added_and_says_why(lena, tmp_path):
    _, client, _ = lena
    page = post(client, "/console/sources", name="etc", kind="folder", location="/etc",
                every="60").get_data(as_text=True)
    assert "Not added:" in page and "Sync now: etc" not in page
