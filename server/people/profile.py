"""A person's own profile (title, role, target roles, goals, languages, privacy choices), and
all that is stored about them, to export or to delete (people/visibility.py says who sees it)."""

import re

from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.career.roles import match_title, scale
from server.checks import text_list, text_value
from server.errors import ApiError
from server.people import experts, opportunities
from server.people.person_feedback import feedback_about, feedback_json
from server.people.ratings import ratings
from server.people.visibility import PRIVACY, privacy_of, profile_of
from server.storage.models import (
    Expertise,
    Feedback,
    FeedbackRequest,
    Occupation,
    OpportunityInterest,
    PersonFeedback,
    Profile,
    SkillRating,
    SuggestionEvent,
    User,
    now,
)

MAX_TARGETS, MAX_GOALS, MAX_GOAL_CHARS, MAX_LANGUAGES = 5, 10, 300, 10
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def profile_json(app: Flask, db: Session, user: User) -> dict:
    p = profile_of(db, user)
    occupation = db.get(Occupation, p.occupation_id) if p.occupation_id else None
    targets = [db.get(Occupation, t) for t in p.target_roles or []]
    return {"name": user.name, "current_title": p.current_title or "",
            "role": {"id": occupation.id, "title": occupation.title} if occupation else None,
            "department": p.department or "", "location": p.location or "",
            "target_roles": [{"id": t.id, "title": t.title} for t in targets if t],
            "goals": p.goals or [], "languages": p.languages or [],
            "privacy": privacy_of(db, user), "scale": scale(app)}


def update_profile(app: Flask, db: Session, user: User, body: dict) -> dict:
    """Replace the fields given; the current title is matched to a role unless one is named."""
    allowed = {"current_title", "role_id", "department", "location", "target_roles", "goals",
               "languages", "privacy"}
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError("unknown_field", f"unknown field(s): {', '.join(unknown)}; allowed: "
                       f"{', '.join(sorted(allowed))}")
    p = db.get(Profile, user.id)
    if p is None:
        p = Profile(user_id=user.id, target_roles=[], goals=[], languages=[], privacy={})
        db.add(p)
    for name, limit in (("current_title", 200), ("department", 100), ("location", 100)):
        if name in body:
            setattr(p, name, text_value(body[name], name, limit))
    if "role_id" in body and body["role_id"] is not None:
        p.occupation_id = _role(db, body["role_id"], "role_id")
    elif "current_title" in body:
        found = match_title(app, db, p.current_title, 1) if p.current_title else []
        p.occupation_id = found[0].occupation_id if found else None
    if "target_roles" in body:
        roles = text_list(body["target_roles"], "target_roles", MAX_TARGETS, 200)
        p.target_roles = [_role(db, r, "target_roles") for r in roles]
    if "goals" in body:
        p.goals = text_list(body["goals"], "goals", MAX_GOALS, MAX_GOAL_CHARS)
    if "languages" in body:
        languages = text_list(body["languages"], "languages", MAX_LANGUAGES, 20)
        if not all(LANGUAGE.match(x) for x in languages):
            raise ApiError("invalid_value", "languages are tags such as en, de or pt-BR")
        p.languages = languages
    if "privacy" in body:
        choices = body["privacy"]
        if not isinstance(choices, dict) or set(choices) - set(PRIVACY) or \
                not all(isinstance(v, bool) for v in choices.values()):
            raise ApiError("invalid_value", f"privacy is an object of true/false choices: "
                           f"{', '.join(PRIVACY)}")
        p.privacy = {**(p.privacy or {}), **choices}
    p.updated_at = now()
    db.commit()
    return profile_json(app, db, user)


def _role(db: Session, role_id, where: str) -> str:
    if not isinstance(role_id, str) or db.get(Occupation, role_id) is None:
        raise ApiError("no_such_role", f"{where}: no role {role_id!r}; find one with "
                       "GET /api/v1/roles?q=<job title>")
    return role_id


def export(app: Flask, db: Session, user: User) -> dict:
    """Everything stored about the person, as they would take it with them."""
    events = db.scalars(select(SuggestionEvent).where(SuggestionEvent.user_id == user.id))
    actions = db.scalars(select(Feedback).where(Feedback.user_id == user.id))
    asked = db.scalars(select(FeedbackRequest).where(FeedbackRequest.subject_id == user.id))
    given = db.scalars(select(PersonFeedback).where(PersonFeedback.author_id == user.id))
    return {
        "account": {"name": user.name, "email": user.email, "role": user.role,
                    "groups": user.groups, "created_at": user.created_at.isoformat() + "Z"},
        "profile": profile_json(app, db, user),
        "skills": ratings(db, user),
        "feedback_about_me": feedback_about(db, user, user),
        "feedback_i_gave": [feedback_json(db, f) for f in given],
        "peers_asked": [db.get(User, r.peer_id).name for r in asked],
        "suggestions": [{"at": e.created_at.isoformat() + "Z", "topics": e.topics,
                         "shown": e.shown} for e in events],
        "actions": [{"at": a.created_at.isoformat() + "Z", "content_id": a.content_id,
                     "action": a.action} for a in actions],
        "opportunity_interest": opportunities.mine(db, user),
        "expertise": experts.mine(db, user),
    }


def forget(db: Session, user: User) -> None:
    """Delete what is stored about the person (the account and its tokens stay)."""
    for model, column in ((Profile, Profile.user_id), (SkillRating, SkillRating.user_id),
                          (PersonFeedback, PersonFeedback.subject_id),
                          (FeedbackRequest, FeedbackRequest.subject_id),
                          (SuggestionEvent, SuggestionEvent.user_id),
                          (Feedback, Feedback.user_id),
                          (OpportunityInterest, OpportunityInterest.user_id),
                          (Expertise, Expertise.user_id)):
        db.execute(delete(model).where(column == user.id))
    db.commit()
