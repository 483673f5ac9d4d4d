"""Content restricted to audience groups never reaches anyone outside them."""

INTERVIEWING = {"title": "Interview scorecard: Senior Backend Engineer - Greenhouse",
                "url": "https://app.greenhouse.io/scorecards/8812",  # as the extension sends
                "headings": ["Structured interview", "Scorecard"]}
RESTRICTED = "samples:training/interviewer-training.md"  # audience: managers, engineering


def shown(client, token, context):
    res = client.post("/api/v1/suggestions", json={"context": context},
                      headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 200
    return [s["id"] for s in res.get_json()["suggestions"]]


def test_suggestions_respect_the_audience(app, client):
    from server.people.users import add_user, create_token
    from server.storage import db

    with app.app_context():
        manager = create_token(db.session(), add_user(db.session(), "mo", groups=["Managers"]))
        outsider = create_token(db.session(), add_user(db.session(), "ola", groups=["sales"]))
    assert RESTRICTED in shown(client, manager, INTERVIEWING)
    assert RESTRICTED not in shown(client, outsider, INTERVIEWING)
    assert shown(client, outsider, INTERVIEWING)  # open content still comes


def test_search_and_lookup_by_id_respect_the_audience(app, client, make_token):
    outsider = {"Authorization": f"Bearer {make_token('ola')}"}
    lnd = {"Authorization": f"Bearer {make_token('lin', 'ld')}"}
    found = client.get("/api/v1/search?q=interviewer", headers=outsider).get_json()["results"]
    assert RESTRICTED not in [r["id"] for r in found]
    assert client.get(f"/api/v1/content/{RESTRICTED}", headers=outsider).status_code == 404
    res = client.get(f"/api/v1/content/{RESTRICTED}", headers=lnd)  # L&D manages all content
    assert res.status_code == 200 and res.get_json()["audience"] == ["managers", "engineering"]
    open_item = client.get("/api/v1/content/samples:policies/expenses.md", headers=outsider)
    assert open_item.status_code == 200 and open_item.get_json()["title"] == "Expense Policy"


def test_search_needs_a_query(client, auth):
    assert client.get("/api/v1/search", headers=auth).get_json()["error"] == "invalid_query"
    assert client.get("/api/v1/search?q=x&limit=0", headers=auth).status_code == 400


def test_stale_list_is_for_ld_and_admins(client, make_token):
    lnd = {"Authorization": f"Bearer {make_token('lin', 'ld')}"}
    employee = {"Authorization": f"Bearer {make_token('emma')}"}
    assert client.get("/api/v1/stale", headers=employee).status_code == 403
    assert client.get("/api/v1/stale", headers=lnd).get_json() == {"stale": []}
