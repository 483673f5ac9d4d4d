"""Feedback about a person from their manager chain and the peers they asked."""

from flask import Flask
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server.checks import text_list, text_value
from server.errors import ApiError
from server.people.ratings import find_skill, level_of
from server.people.visibility import chain, relation
from server.storage.models import (
    FeedbackRequest,
    PersonFeedback,
    Skill,
    SkillRating,
    User,
)


def give_feedback(app: Flask, db: Session, author: User, subject: User, body: dict) -> dict:
    allowed = {"skills", "note", "shared", "ratings"}
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError("unknown_field", f"unknown field(s): {', '.join(unknown)}; allowed: "
                       f"{', '.join(sorted(allowed))}")
    kind = relation(db, author, subject)
    skills = [find_skill(db, s).id for s in text_list(body.get("skills", []), "skills", 20, 300)]
    note = text_value(body.get("note", ""), "note", 2000)
    shared = body.get("shared", False)
    if not isinstance(shared, bool):
        raise ApiError("invalid_value", "shared is true or false")
    given = body.get("ratings", {})
    if not isinstance(given, dict) or len(given) > 20:
        raise ApiError("invalid_value", "ratings is an object {skill: level}, at most 20")
    checked = [(find_skill(db, s).id, level_of(app, v)) for s, v in given.items()]
    if not skills and not note and not checked:
        raise ApiError("empty_feedback", "give skills to focus on, a note or ratings")
    item = PersonFeedback(subject_id=subject.id, author_id=author.id, relation=kind,
                          skills=skills, note=note, shared=shared)
    db.add(item)
    for skill_id, level in checked:
        db.add(SkillRating(user_id=subject.id, skill_id=skill_id, level=level, source=kind,
                           rater_id=author.id))
    db.commit()
    return feedback_json(db, item)


def feedback_json(db: Session, item: PersonFeedback) -> dict:
    author = db.get(User, item.author_id) if item.author_id else None
    names = {s.id: s.name for s in db.scalars(select(Skill).where(Skill.id.in_(item.skills)))}
    return {"id": item.id, "from": author.name if author else None, "relation": item.relation,
            "skills": [{"id": s, "name": names.get(s, s)} for s in item.skills],
            "note": item.note, "shared": item.shared,
            "created_at": item.created_at.isoformat() + "Z"}


def feedback_about(db: Session, viewer: User, subject: User) -> list[dict]:
    """The feedback about subject that viewer may read."""
    query = select(PersonFeedback).where(PersonFeedback.subject_id == subject.id)
    if viewer.id != subject.id and viewer.role != "admin":
        if viewer.id in chain(db, subject):
            query = query.where(or_(PersonFeedback.author_id == viewer.id,
                                    PersonFeedback.shared.is_(True)))
        else:
            query = query.where(PersonFeedback.author_id == viewer.id)
    return [feedback_json(db, f) for f in db.scalars(query.order_by(PersonFeedback.id))]


def ask_peer(db: Session, subject: User, peer: User) -> None:
    if peer.id == subject.id:
        raise ApiError("invalid_value", "ask someone else for feedback")
    exists = db.scalar(select(FeedbackRequest.id).where(FeedbackRequest.subject_id == subject.id,
                                                        FeedbackRequest.peer_id == peer.id))
    if exists is None:
        db.add(FeedbackRequest(subject_id=subject.id, peer_id=peer.id))
        db.commit()


def ask_by_name(db: Session, subject: User, name: str) -> None:
    """Let the active person of that name give subject feedback. Nothing tells whether the
    name has an account: this is no way to find out who works here."""
    peer = db.scalar(select(User).where(User.name == name, User.active.is_(True)))
    if peer is not None:  # oneself included: ask_peer refuses that with its reason
        ask_peer(db, subject, peer)
