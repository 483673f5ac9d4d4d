"""xAPI: every statement jitlearn makes passes ralph's strict xAPI models (an independent
implementation), carries no personal data, and reaches a real LRS on loopback exactly once per
id through outages, restarts and a malformed neighbour."""

import base64
import json
from datetime import timedelta
from http.server import BaseHTTPRequestHandler

import pytest
from ralph.models.xapi.base.statements import BaseXapiStatement
from sqlalchemy import select, update

from server.app import create_app
from server.integrations.xapi import VERBS, deliver
from server.people.users import add_user, create_token
from server.state import runtime_of
from server.storage import db
from server.storage.models import XapiOutbox, now

CONTEXT = {"title": "Expense report - Navan", "headings": ["Receipts", "Corporate card"]}
ACTIONS = ("opened", "completed", "helpful", "not_relevant", "acknowledged")


class Lrs:
    """A Learning Record Store as strict as the spec on what matters here: the version header,
    Basic auth, well-formed statements (ralph's models) and one statement per id."""

    def __init__(self, loopback):
        self.statements: dict[str, dict] = {}
        self.posts, self.down_for, self.lose_answers = 0, 0, 0
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                lrs.posts += 1
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if lrs.down_for > 0:
                    lrs.down_for -= 1
                    return self.answer(503, {"message": "down for maintenance"})
                if self.path != "/xapi/statements":
                    return self.answer(404, {"message": "no such resource"})
                if self.headers.get("X-Experience-API-Version") != "1.0.3":
                    return self.answer(400, {"message": "X-Experience-API-Version missing"})
                if self.headers.get("Authorization") != "Basic " + base64.b64encode(
                        b"jitlearn:s3cret").decode():
                    return self.answer(401, {"message": "who are you?"})
                try:
                    batch = json.loads(body)
                    for s in batch:
                        BaseXapiStatement(**s)
                except (ValueError, TypeError) as exc:
                    return self.answer(400, {"message": f"malformed statement: {exc}"[:300]})
                for s in batch:
                    if s["id"] in lrs.statements and lrs.statements[s["id"]] != s:
                        return self.answer(409, {"message": f"{s['id']} differs"})
                for s in batch:
                    lrs.statements[s["id"]] = s
                if lrs.lose_answers > 0:  # stored, but the answer never arrives
                    lrs.lose_answers -= 1
                    self.close_connection = True  # hang up without a word
                    return None
                return self.answer(200, [s["id"] for s in batch])

            def answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.url = loopback(Handler) + "/xapi"


@pytest.fixture
def lrs(loopback):
    return Lrs(loopback)


@pytest.fixture
def world(tmp_path, lrs, sample_index, engine):
    def make():
        app = create_app({"HOME": str(tmp_path), "INDEX_DIR": str(sample_index),
                          "TESTING": True, "XAPI_ENDPOINT": lrs.url,
                          "XAPI_USERNAME": "jitlearn", "XAPI_PASSWORD": "s3cret",
                          "FETCH_TIMEOUT": 5})
        runtime_of(app).index = engine.index
        runtime_of(app).engine = engine
        return app
    app = make()
    with app.app_context():
        user = add_user(db.session(), "ada.lovelace", email="ada@example.com")
        token = create_token(db.session(), user)
    return app, {"Authorization": f"Bearer {token}"}, make


def every_kind(app, auth) -> list[dict]:
    """One request, then every action on its first suggestion; the statements queued."""
    client = app.test_client()
    body = client.post("/api/v1/suggestions", json={"context": CONTEXT}, headers=auth).get_json()
    first = body["suggestions"][0]["id"]
    for action in ACTIONS:
        answer = client.post("/api/v1/feedback", headers=auth, json={
            "request_id": body["request_id"], "content_id": first, "action": action})
        assert answer.status_code == 201
    with app.app_context():
        return [row.statement for row in db.session().scalars(select(XapiOutbox))]


def test_every_statement_is_valid_xapi_and_names_no_one(world):
    app, auth, _ = world
    statements = every_kind(app, auth)
    verbs = {s["verb"]["id"] for s in statements}
    assert verbs == {iri for iri, _ in VERBS.values()}  # every verb jitlearn uses, made here
    for s in statements:
        BaseXapiStatement(**s)  # raises on anything ralph's strict models refuse
        assert set(s["actor"]) == {"objectType", "account"}
        text = json.dumps(s).lower()
        assert "lovelace" not in text and "ada@example.com" not in text and "mbox" not in text
    assert len({s["actor"]["account"]["name"] for s in statements}) == 1  # one pseudonym
    assert len({s["id"] for s in statements}) == len(statements)
    rated = [s for s in statements if s["verb"]["id"].endswith("/rated")]
    assert sorted(s["result"]["score"]["scaled"] for s in rated) == [0.0, 1.0]


def test_nothing_is_queued_when_no_lrs_is_configured(client, auth, app):
    client.post("/api/v1/suggestions", json={"context": CONTEXT}, headers=auth)
    with app.app_context():
        assert db.session().scalars(select(XapiOutbox)).all() == []


def test_delivery_survives_an_outage_a_lost_answer_and_a_restart_without_duplicates(world, lrs):
    app, auth, make = world
    queued = every_kind(app, auth)
    lrs.down_for = 1  # the first post meets an LRS in maintenance
    with app.app_context():
        counts = deliver(app, db.session())
        assert counts["sent"] == 0 and counts["retry"] == len(queued)
        waiting = db.session().scalars(select(XapiOutbox)).all()
        assert all(r.sent_at is None and r.next_attempt_at > now() for r in waiting)
        assert deliver(app, db.session())["sent"] == 0  # backing off: nothing is due yet
    assert lrs.statements == {}

    restarted = make()  # a new process on the same database: the outbox is all it needs
    with restarted.app_context():
        session = db.session()
        session.execute(update(XapiOutbox).values(next_attempt_at=now() - timedelta(seconds=1)))
        session.commit()
        lrs.lose_answers = 1  # the LRS stores the batch but the answer is lost
        assert deliver(restarted, session)["retry"] == len(queued)
        session.execute(update(XapiOutbox).values(next_attempt_at=now() - timedelta(seconds=1)))
        session.commit()
        assert deliver(restarted, session)["sent"] == len(queued)  # sent again, same ids
        assert deliver(restarted, session) == {"sent": 0, "retry": 0, "rejected": 0}
    assert sorted(lrs.statements) == sorted(s["id"] for s in queued)  # each once, none lost


def test_a_malformed_statement_is_set_aside_and_the_rest_go(world, lrs):
    app, auth, _ = world
    queued = every_kind(app, auth)
    with app.app_context():
        session = db.session()
        broken = dict(queued[0], id="00000000-0000-4000-8000-000000000001",
                      verb={"id": "not an IRI", "display": {"en-US": "broke"}})
        session.add(XapiOutbox(statement_id=broken["id"], statement=broken))
        session.commit()
        counts = deliver(app, session)
        rejected = session.scalars(select(XapiOutbox).where(XapiOutbox.rejected)).all()
    assert counts == {"sent": len(queued), "retry": 0, "rejected": 1}
    assert [r.statement_id for r in rejected] == [broken["id"]] and "malformed" in \
        rejected[0].last_error
    assert len(lrs.statements) == len(queued)


def test_the_lrs_refuses_a_request_without_the_version_header(lrs):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(lrs.url + "/statements", data=b"[]", method="POST",
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    refused.value.close()
    assert refused.value.code == 400  # the test LRS is strict, so the tests above mean something


def test_delivered_statements_are_purged_with_old_events_and_waiting_ones_kept(world, lrs):
    from server.storage.retention import purge

    app, auth, _ = world
    queued = every_kind(app, auth)
    with app.app_context():
        session = db.session()
        lrs.down_for = 10**6  # nothing reaches the LRS: every statement is still waiting
        deliver(app, session)
        session.execute(update(XapiOutbox).values(created_at=now() - timedelta(days=200)))
        first = session.scalars(select(XapiOutbox).order_by(XapiOutbox.id)).first()
        first.sent_at = now()  # this one the LRS has
        session.commit()
        assert purge(session, 180)["statements"] == 1
        assert session.query(XapiOutbox).count() == len(queued) - 1  # the rest still go out


def test_an_lrs_without_credentials_gets_no_authorization_header(tmp_path, loopback):
    from server.integrations.xapi import post

    seen = []

    class Open(BaseHTTPRequestHandler):
        def do_POST(self):
            seen.append(self.headers.get("Authorization"))
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"[]")

        def log_message(self, *args):
            pass

    url = loopback(Open)
    app = create_app({"HOME": str(tmp_path), "MODEL": "", "TESTING": True,
                      "XAPI_ENDPOINT": url, "FETCH_TIMEOUT": 5})
    post(app, [])
    app.config.update(XAPI_USERNAME="jitlearn", XAPI_PASSWORD="s3cret")
    post(app, [])
    assert seen == [None, "Basic " + base64.b64encode(b"jitlearn:s3cret").decode()]
