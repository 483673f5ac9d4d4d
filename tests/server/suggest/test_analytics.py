"""Analytics from real requests and feedback: charts, tables, CSV, and never a small group."""

import re
import time

from server.console.accounts import set_password
from server.people.users import add_user, create_token
from server.storage import db

EXPENSE = {"context": {"title": "Expense report - Navan", "url": "https://app.navan.com/expenses"}}
TAX = {"context": {"title": "Filing the quarterly VAT return - sales tax compliance"}}
LEAVE = {"context": {"title": "Parental leave request - Workday"}}


def test_analytics_count_people_and_feedback_and_leave_small_groups_out(app):
    with app.app_context():
        s = db.session()
        set_password(s, add_user(s, "lena", "ld"), "correct horse battery")
        tokens = [create_token(s, add_user(s, f"p{n}")) for n in range(6)]
    client = app.test_client()
    for n, token in enumerate(tokens):
        auth = {"Authorization": f"Bearer {token}"}
        first = client.post("/api/v1/suggestions", json=EXPENSE, headers=auth).get_json()
        client.post("/api/v1/feedback", headers=auth, json={
            "request_id": first["request_id"], "content_id": first["suggestions"][0]["id"],
            "action": "helpful" if n < 4 else "not_relevant"})
        client.post("/api/v1/suggestions", json=TAX, headers=auth)
        if n < 4:  # four people only: too few to show
            client.post("/api/v1/suggestions", json=LEAVE, headers=auth)

    page = client.get("/console/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/console/login", data={"name": "lena", "password": "correct horse battery",
                                        "csrf_token": token})
    html = client.get("/console/analytics").get_data(as_text=True)
    assert 'id="preparing"' in html  # the first load runs in the background
    for _ in range(100):
        time.sleep(0.1)
        html = client.get("/console/analytics").get_data(as_text=True)
        if 'id="preparing"' not in html:
            break
    assert 'id="chart-demand"' in html and "<script" not in html
    svg = client.get("/console/analytics/fared.svg")
    assert svg.headers["Content-Type"].startswith("image/svg+xml")
    assert "Expenses" in svg.get_data(as_text=True) and "<script" not in svg.get_data(
        as_text=True)
    assert client.get("/console/analytics/nothing.svg").status_code == 404
    assert re.search(r"<td>Expenses</td><td>6</td><td>\d+</td><td>0</td><td>4</td><td>2</td>",
                     html)
    assert "Parental leave" not in html  # four people are not a group
    gaps = client.get("/console/analytics/gaps.csv")
    assert gaps.headers["Content-Type"].startswith("text/csv")
    assert "Tax,tax,6," in gaps.get_data(as_text=True)  # met by six, hardly any content
    rules = client.get("/console/analytics/rules.csv").get_data(as_text=True)
    assert rules.splitlines()[1].startswith("url-expense-tools,6,4,2,0.67")
    assert client.get("/console/analytics/secrets.csv").status_code == 404


def test_new_requests_are_taken_in_without_reading_everything_again(app):
    from server.suggest.analytics import rollup

    with app.app_context():
        s = db.session()
        tokens = [create_token(s, add_user(s, f"q{n}")) for n in range(5)]
    client = app.test_client()
    r = rollup(app)
    with app.app_context():
        r.refresh(db.session())
    assert r.snapshot(app)["fared"] == []
    for token in tokens:
        client.post("/api/v1/suggestions", json=TAX, headers={"Authorization": f"Bearer {token}"})
    with app.app_context():
        r.refresh(db.session())
        r.refresh(db.session())  # nothing new: nothing counted twice
    [tax] = [row for row in r.snapshot(app)["fared"] if row["topic"] == "Tax"]
    assert tax["people"] == 5


def test_a_csv_cell_never_runs_as_a_formula():
    from server.suggest.analytics import as_csv

    rows = [{"topic": '=HYPERLINK("https://evil.example","x")', "people": 5},
            {"topic": "+1-555", "people": -3}, {"topic": "@SUM(A1)", "people": 7},
            {"topic": "-2+3", "people": 0}, {"topic": "Expenses", "people": 9}]
    lines = as_csv({"gaps": rows}, "gaps").splitlines()
    assert lines[1].startswith('"\'=HYPERLINK') and lines[2].startswith("'+1-555,-3")
    assert lines[3].startswith("'@SUM") and lines[4].startswith("'-2+3")
    assert lines[5] == "Expenses,9"
