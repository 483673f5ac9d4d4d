"""What was shown and what people said about it; dismissed items stay hidden for that topic."""

from datetime import timedelta

from flask import Flask
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.integrations import xapi
from server.storage.models import SNOOZE_DAYS, SUPPRESSING, Feedback, SuggestionEvent, now
from server.suggest.results import Result


def record_event(db: Session, user_id: int, result: Result, app: Flask | None = None) -> None:
    """Keep ids and topic ids only: the context text itself is never stored. With an LRS
    configured (app), the statements for what was shown go in the same transaction."""
    topics = [t.id for t in result.topics if t.kind != "keyphrase"]
    db.add(SuggestionEvent(request_id=result.request_id, user_id=user_id, topics=topics,
                           shown=[s.id for s in result.suggestions],
                           rules=sorted({r for t in result.topics for r in t.rules})))
    if app is not None:
        db.add_all(xapi.for_suggestions(app, user_id, result.request_id, topics,
                                        result.suggestions))
    db.commit()


def record(db: Session, user_id: int, request_id: str, content_id: str, action: str,
           version: str = "", app: Flask | None = None, hit=None) -> Feedback:
    """version: the content hash the person saw, kept for acknowledgments (a new one asks again).
    With an LRS configured (app), the statement for it goes in the same transaction."""
    event = db.get(SuggestionEvent, request_id)
    if event is None or event.user_id != user_id:
        raise ApiError("unknown_request", "no suggestions with this request_id were given to "
                       "you; use the request_id from POST /api/v1/suggestions", 404)
    if content_id not in event.shown:
        raise ApiError("not_shown", f"{content_id!r} was not suggested in that request")
    row = Feedback(user_id=user_id, request_id=request_id, content_id=content_id,
                   action=action, topics=list(event.topics),
                   content_hash=version if action == "acknowledged" else "")
    db.add(row)
    if app is not None:
        db.flush()  # the row's id names its statement
        db.add_all(xapi.for_feedback(app, row.id, user_id, request_id, action,
                                     list(event.topics), hit, content_id))
    db.commit()
    return row


def record_action(app: Flask, db: Session, index, user_id: int, request_id: str,
                  content_id: str, action: str) -> Feedback:
    """What a person did with an item shown to them (the panel's buttons, the feed's, My
    learning's). The item is read from the index only when needed: its version for an
    acknowledgment, its name for the LRS."""
    hit = index.get(content_id) if action == "acknowledged" or xapi.enabled(app) else None
    return record(db, user_id, request_id, content_id, action,
                  version=hit.hash if hit and action == "acknowledged" else "", app=app, hit=hit)


def acknowledged(db: Session, user_id: int) -> dict[str, set[str]]:
    """content id -> versions (content hashes) this person acknowledged."""
    return held_back(db, user_id)[1]


def held_back(db: Session, user_id: int) -> tuple[set[tuple[str, str]], dict[str, set[str]]]:
    """What a suggestion leaves out for this person, in one read: the (content id, topic id)
    pairs they asked not to see again, or not for now (topic "*" for content they completed),
    and acknowledged()."""
    snoozed_since = now() - timedelta(days=SNOOZE_DAYS)
    rows = db.execute(select(Feedback.content_id, Feedback.action, Feedback.topics,
                             Feedback.content_hash).where(
        Feedback.user_id == user_id,
        or_(Feedback.action.in_((*SUPPRESSING, "acknowledged")),
            (Feedback.action == "snoozed") & (Feedback.created_at >= snoozed_since)))).all()
    suppressed: set[tuple[str, str]] = set()
    acknowledged: dict[str, set[str]] = {}
    for content_id, action, topics, version in rows:
        if action == "acknowledged":
            acknowledged.setdefault(content_id, set()).add(version)
        else:  # what the person completed is done with, whatever page they are on
            suppressed |= {(content_id, topic)
                           for topic in (["*"] if action == "completed" else topics)}
    return suppressed, acknowledged
