import json
import logging
from pathlib import Path

from sqlalchemy import MetaData, select

from server.storage import db
from server.storage.models import SuggestionEvent

PRIVACY = {"title": "Export HR data to a spreadsheet - personal data of employees"}


def ask(client, auth, context):
    res = client.post("/api/v1/suggestions", json={"context": context}, headers=auth)
    assert res.status_code == 200
    return res.get_json()


def feedback(client, auth, **body):
    return client.post("/api/v1/feedback", json=body, headers=auth)


def test_dismissed_item_is_not_shown_again_for_that_topic(client, auth):
    first = ask(client, auth, PRIVACY)
    dismissed = first["suggestions"][0]["id"]
    res = feedback(client, auth, request_id=first["request_id"], content_id=dismissed,
                   action="dismissed")
    assert res.status_code == 201
    again = ask(client, auth, PRIVACY)
    assert dismissed not in [s["id"] for s in again["suggestions"]]
    assert again["suggestions"]  # the rest is still there


def test_dismissal_is_personal(client, auth, make_token):
    first = ask(client, auth, PRIVACY)
    top = first["suggestions"][0]["id"]
    feedback(client, auth, request_id=first["request_id"], content_id=top, action="not_relevant")
    other = {"Authorization": f"Bearer {make_token('grace')}"}
    assert top in [s["id"] for s in ask(client, other, PRIVACY)["suggestions"]]


def test_helpful_feedback_keeps_the_item(client, auth):
    first = ask(client, auth, PRIVACY)
    top = first["suggestions"][0]["id"]
    feedback(client, auth, request_id=first["request_id"], content_id=top, action="helpful")
    assert top in [s["id"] for s in ask(client, auth, PRIVACY)["suggestions"]]


def test_feedback_on_unknown_request_or_item_is_refused(client, auth, make_token):
    first = ask(client, auth, PRIVACY)
    shown = first["suggestions"][0]["id"]
    assert feedback(client, auth, request_id="0" * 32, content_id=shown,
                    action="helpful").status_code == 404
    assert feedback(client, auth, request_id=first["request_id"], content_id="x:never-shown",
                    action="helpful").status_code == 400
    assert feedback(client, auth, request_id=first["request_id"], content_id=shown,
                    action="love").get_json()["error"] == "invalid_value"
    other = {"Authorization": f"Bearer {make_token('mallory')}"}
    assert feedback(client, other, request_id=first["request_id"], content_id=shown,
                    action="dismissed").status_code == 404  # not someone else's request


def test_context_text_is_never_stored_or_logged(app, client, auth, caplog):
    secret = "Project Nightingale acquisition of Initech"
    caplog.set_level(logging.DEBUG)
    ask(client, auth, {"title": "Expense report", "text": secret})
    with app.app_context():
        session = db.session()
        events = session.scalars(select(SuggestionEvent)).all()
        tables = MetaData()
        tables.reflect(session.get_bind())
        rows = " ".join(str(tuple(row)) for table in tables.sorted_tables
                        for row in session.execute(table.select()))
    assert events
    assert "Nightingale" not in rows and "Initech" not in rows  # SQLite or PostgreSQL
    files = b"".join(p.read_bytes() for p in Path(app.config["HOME"]).glob("jitlearn.db*"))
    assert b"Nightingale" not in files and b"Initech" not in files  # nor in SQLite's free pages
    assert "Nightingale" not in caplog.text


def test_done_and_snooze_hide_the_item_and_snooze_wears_off(app, client, auth):
    from datetime import timedelta

    from server.storage.models import Feedback

    first = ask(client, auth, PRIVACY)
    done, later = first["suggestions"][0]["id"], first["suggestions"][1]["id"]
    assert feedback(client, auth, request_id=first["request_id"], content_id=done,
                    action="completed").status_code == 201
    assert feedback(client, auth, request_id=first["request_id"], content_id=later,
                    action="snoozed").status_code == 201
    shown = [s["id"] for s in ask(client, auth, PRIVACY)["suggestions"]]
    assert done not in shown and later not in shown
    with app.app_context():  # eight days later
        row = db.session().scalars(select(Feedback).where(Feedback.action == "snoozed")).one()
        row.created_at -= timedelta(days=8)
        db.session().commit()
    shown = [s["id"] for s in ask(client, auth, PRIVACY)["suggestions"]]
    assert later in shown and done not in shown


def test_completed_content_stays_away_on_pages_about_other_topics(app, client, auth):
    from server.storage.models import Feedback

    first = ask(client, auth, PRIVACY)
    done = first["suggestions"][0]["id"]
    feedback(client, auth, request_id=first["request_id"], content_id=done, action="completed")
    with app.app_context():  # as if completed from a page about something else entirely
        row = db.session().scalars(select(Feedback)).one()
        row.topics = ["travel"]
        db.session().commit()
    assert done not in [s["id"] for s in ask(client, auth, PRIVACY)["suggestions"]]


def test_old_events_are_purged_and_acknowledgments_kept(app, client, auth):
    from datetime import timedelta

    from server.storage.models import Feedback
    from server.storage.retention import purge

    first = ask(client, auth, PRIVACY)
    for item, action in zip(first["suggestions"][:2], ("helpful", "acknowledged"), strict=True):
        feedback(client, auth, request_id=first["request_id"], content_id=item["id"],
                 action=action)
    ask(client, auth, PRIVACY)
    with app.app_context():
        s = db.session()
        old = s.scalars(select(SuggestionEvent)).first()
        old.created_at -= timedelta(days=200)
        for row in s.scalars(select(Feedback)):
            row.created_at -= timedelta(days=200)
        s.commit()
        assert purge(s, 180) == {"requests": 1, "feedback": 1, "statements": 0}
        assert [f.action for f in s.scalars(select(Feedback))] == ["acknowledged"]
        assert s.query(SuggestionEvent).count() == 1  # the recent one stays


def test_the_server_redacts_personal_data_before_it_reads_a_context(client, auth):
    answer = ask(client, auth, {
        "title": "Expense report for jane.doe@example.com - Navan",
        "url": "https://app.navan.com/expenses?employee=4111111111111111#jane",
        "text": "Call me on +44 20 7946 0958 about card 4111111111111111."})
    said = json.dumps(answer)
    for secret in ("jane.doe", "4111111111111111", "7946", "employee="):
        assert secret not in said
    assert "samples:policies/expenses.md" in [s["id"] for s in answer["suggestions"]]
