"""A person's own profile, skill ratings with provenance, and feedback from their manager and peers.

Who may see or write what is decided here, in one place:
- the person sees and edits everything about themselves, exports it and deletes it;
- their manager chain (manager, manager's manager, ...) gives feedback and, of feedback, sees
  what it gave or what was shared with it; it sees the profile and ratings only if the person
  chose to share them, and otherwise the team's skills as counts over 5 or more people;
- a peer gives feedback only when the person asked them, and sees only what they gave;
- admins see everything; everyone else is refused.
"""

import re

from flask import Flask
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from server.career.roles import match_title, scale
from server.errors import ApiError
from server.storage.models import (
    Feedback,
    FeedbackRequest,
    Occupation,
    PersonFeedback,
    Profile,
    Skill,
    SkillRating,
    SuggestionEvent,
    User,
    now,
)

# The person's choices. A manager sees a report's own profile and ratings only when the report
# opts in: by default managers see their team as counts over 5 or more people (team_skills).
PRIVACY = {"personalize": True,  # suggestions and the feed use the profile
           "share_with_manager": False}  # the manager chain sees profile and ratings
SOURCES = ("self", "manager", "peer", "assessment")
MAX_TARGETS, MAX_GOALS, MAX_GOAL_CHARS, MAX_LANGUAGES = 5, 10, 300, 10
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def chain(db: Session, user: User) -> list[int]:
    """Ids of the person's managers, nearest first (cycles stop it)."""
    out, seen, current = [], {user.id}, user.manager_id
    while current is not None and current not in seen:
        out.append(current)
        seen.add(current)
        current = db.scalar(select(User.manager_id).where(User.id == current))
    return out


def reports(db: Session, manager: User) -> list[int]:
    """Ids of everyone below a manager, directly or not (one query, walked in memory)."""
    below: dict[int, list[int]] = {}
    for user_id, boss in db.execute(select(User.id, User.manager_id)):
        if boss is not None:
            below.setdefault(boss, []).append(user_id)
    out, todo, seen = [], list(below.get(manager.id, [])), {manager.id}
    while todo:
        user_id = todo.pop()
        if user_id not in seen:
            seen.add(user_id)
            out.append(user_id)
            todo.extend(below.get(user_id, []))
    return out


def person(db: Session, viewer: User, person_id: int) -> User | None:
    """The person with this id; None to anyone but an admin when there is none, so that the
    answer about an unknown id is the one about somebody the viewer may not see."""
    user = db.get(User, person_id)
    if user is None and viewer.role == "admin":
        raise ApiError("no_such_person", f"no person with id {person_id}", 404)
    return user


def may_view(db: Session, viewer: User, subject: User) -> bool:
    """Profile and ratings: the person, admins, and the manager chain if the person allows."""
    if viewer.id == subject.id or viewer.role == "admin":
        return True
    return viewer.id in chain(db, subject) and privacy_of(db, subject)["share_with_manager"]


FEEDBACK_REFUSED = "only someone in their reporting line, or a peer they asked, gives feedback"


def relation(db: Session, author: User, subject: User) -> str:
    """'manager' or 'peer' if author may give subject feedback; ApiError 403 otherwise."""
    if author.id == subject.id:
        raise ApiError("forbidden", "feedback is for others; rate your own skills with "
                       "POST /api/v1/me/skills", 403)
    if author.id in chain(db, subject):
        return "manager"
    asked = db.scalar(select(FeedbackRequest.id).where(FeedbackRequest.subject_id == subject.id,
                                                       FeedbackRequest.peer_id == author.id))
    if asked is not None:
        return "peer"
    raise ApiError("forbidden", FEEDBACK_REFUSED, 403)


def profile_of(db: Session, user: User) -> Profile:
    return db.get(Profile, user.id) or Profile(user_id=user.id, target_roles=[], goals=[],
                                               languages=[], privacy={})


def privacy_of(db: Session, user: User) -> dict:
    return {**PRIVACY, **(profile_of(db, user).privacy or {})}


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
            setattr(p, name, _text(body[name], name, limit))
    if "role_id" in body and body["role_id"] is not None:
        p.occupation_id = _role(db, body["role_id"], "role_id")
    elif "current_title" in body:
        found = match_title(app, db, p.current_title, 1) if p.current_title else []
        p.occupation_id = found[0].occupation_id if found else None
    if "target_roles" in body:
        roles = _list(body["target_roles"], "target_roles", MAX_TARGETS, 200)
        p.target_roles = [_role(db, r, "target_roles") for r in roles]
    if "goals" in body:
        p.goals = _list(body["goals"], "goals", MAX_GOALS, MAX_GOAL_CHARS)
    if "languages" in body:
        languages = _list(body["languages"], "languages", MAX_LANGUAGES, 20)
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


def _text(value, name: str, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise ApiError("invalid_value", f"{name} is text of at most {limit} characters")
    return " ".join(value.split())


def _list(value, name: str, most: int, chars: int) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError("invalid_value", f"{name} is a list of strings")
    if len(value) > most or any(len(v) > chars for v in value):
        raise ApiError("invalid_value", f"{name}: at most {most}, each at most {chars} "
                       "characters")
    return [" ".join(v.split()) for v in value if v.strip()]


def _role(db: Session, role_id, where: str) -> str:
    if not isinstance(role_id, str) or db.get(Occupation, role_id) is None:
        raise ApiError("no_such_role", f"{where}: no role {role_id!r}; find one with "
                       "GET /api/v1/roles?q=<job title>")
    return role_id


def find_skill(db: Session, ref) -> Skill:
    """A skill by id ("onet:2.A.1.a") or by name ("Programming")."""
    if not isinstance(ref, str) or not ref.strip() or len(ref) > 300:
        raise ApiError("invalid_value", "a skill is its id or its name")
    skill = db.get(Skill, ref) or db.scalars(select(Skill).where(
        Skill.key == " ".join(ref.split()).lower()).order_by(Skill.id)).first()
    if skill is None:
        raise ApiError("no_such_skill", f"no skill {ref!r}; a role's skills are listed by "
                       "GET /api/v1/roles/<id>", 404)
    return skill


def level_of(app: Flask, value) -> int:
    n = len(scale(app))
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= n:
        raise ApiError("invalid_value", f"level is a whole number from 1 to {n} "
                       f"({', '.join(scale(app))})")
    return value


def rate(app: Flask, db: Session, subject: User, skill_ref, level, source: str,
         rater: User | None = None) -> SkillRating:
    rating = SkillRating(user_id=subject.id, skill_id=find_skill(db, skill_ref).id,
                         level=level_of(app, level), source=source,
                         rater_id=rater.id if rater else None)
    db.add(rating)
    db.commit()
    return rating


def ratings(db: Session, subject: User) -> list[dict]:
    """Each rated skill with the latest level from each source."""
    rows = db.execute(select(SkillRating, Skill).join(Skill, Skill.id == SkillRating.skill_id)
                      .where(SkillRating.user_id == subject.id)
                      .order_by(SkillRating.created_at, SkillRating.id)).all()
    skills: dict[str, dict] = {}
    for rating, skill in rows:
        entry = skills.setdefault(skill.id, {"id": skill.id, "name": skill.name, "levels": {}})
        entry["levels"][rating.source] = rating.level
    return sorted(skills.values(), key=lambda s: s["name"])


SOURCE_ORDER = {"assessment": 0, "manager": 1, "self": 2, "peer": 3}  # which rating counts


def current_levels(db: Session, subject: User) -> dict[str, int]:
    """skill id -> the level that counts: an assessment, else the manager's, else own, else
    a peer's (the most recent of each)."""
    return levels_of(db, [subject.id]).get(subject.id, {})


def levels_of(db: Session, user_ids: list[int],
              not_by: int | None = None) -> dict[int, dict[str, int]]:
    """current_levels for many people in one query: user id -> skill id -> level.
    not_by: leave out the ratings this person gave (a viewer never counts their own input)."""
    latest: dict[tuple[int, str], dict[str, int]] = {}
    query = select(SkillRating.user_id, SkillRating.skill_id, SkillRating.source,
                   SkillRating.level).where(SkillRating.user_id.in_(user_ids))
    if not_by is not None:
        query = query.where((SkillRating.rater_id.is_(None)) | (SkillRating.rater_id != not_by))
    for user_id, skill_id, source, level in db.execute(
            query.order_by(SkillRating.created_at, SkillRating.id)):
        latest.setdefault((user_id, skill_id), {})[source] = level
    out: dict[int, dict[str, int]] = {}
    for (user_id, skill_id), by_source in latest.items():
        out.setdefault(user_id, {})[skill_id] = by_source[min(by_source,
                                                              key=SOURCE_ORDER.__getitem__)]
    return out


def give_feedback(app: Flask, db: Session, author: User, subject: User, body: dict) -> dict:
    allowed = {"skills", "note", "shared", "ratings"}
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError("unknown_field", f"unknown field(s): {', '.join(unknown)}; allowed: "
                       f"{', '.join(sorted(allowed))}")
    kind = relation(db, author, subject)
    skills = [find_skill(db, s).id for s in _list(body.get("skills", []), "skills", 20, 300)]
    note = _text(body.get("note", ""), "note", 2000)
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
    }


def forget(db: Session, user: User) -> None:
    """Delete what is stored about the person (the account and its tokens stay)."""
    for model, column in ((Profile, Profile.user_id), (SkillRating, SkillRating.user_id),
                          (PersonFeedback, PersonFeedback.subject_id),
                          (FeedbackRequest, FeedbackRequest.subject_id),
                          (SuggestionEvent, SuggestionEvent.user_id),
                          (Feedback, Feedback.user_id)):
        db.execute(delete(model).where(column == user.id))
    db.commit()


MIN_GROUP = 5  # a manager sees a team's skills only as counts over at least this many people


def team_skills(db: Session, manager: User) -> dict:
    """How the skills of everyone below a manager spread over the scale: counts only, and only
    for skills at least MIN_GROUP people rated; never a name, never a ranking of people.

    Every cell counts MIN_GROUP people or more: neighbouring levels are merged into bands
    ("2-3": 6) until each holds that many, so no cell is one person's rating. The manager's own
    ratings of their people are left out: they know them, and could subtract them."""
    below = reports(db, manager)
    if len(below) < MIN_GROUP:
        raise ApiError("group_too_small", f"team skills are shown for teams of {MIN_GROUP} or "
                       "more people", 403)
    counts: dict[str, dict[int, int]] = {}
    for person_levels in levels_of(db, below, not_by=manager.id).values():
        for skill_id, level in person_levels.items():
            spread = counts.setdefault(skill_id, {})
            spread[level] = spread.get(level, 0) + 1
    names = {s.id: s.name for s in db.scalars(select(Skill).where(Skill.id.in_(list(counts))))}
    skills = [{"id": sid, "name": names.get(sid, sid), "people": sum(spread.values()),
               "levels": bands(spread, MIN_GROUP)}
              for sid, spread in counts.items() if sum(spread.values()) >= MIN_GROUP]
    return {"people": len(below), "skills": sorted(skills, key=lambda s: s["name"])}


def bands(spread: dict[int, int], least: int) -> dict[str, int]:
    """Counts per level merged with their neighbours, lowest first, until each band holds at
    least `least` people: {1: 1, 2: 4, 4: 6} -> {"1-2": 5, "4": 6}. A last band too small
    joins the one before it. The total must be at least `least`."""
    out: list[list] = []  # [first level, last level, count]
    current: list | None = None
    for level in sorted(spread):
        if current is None:
            current = [level, level, 0]
        current[1], current[2] = level, current[2] + spread[level]
        if current[2] >= least:
            out.append(current)
            current = None
    if current is not None:
        if out:
            out[-1][1], out[-1][2] = current[1], out[-1][2] + current[2]
        else:
            out.append(current)
    return {(str(a) if a == b else f"{a}-{b}"): n for a, b, n in out}


def import_assessments(app: Flask, db: Session, path) -> tuple[int, list[tuple[str, str]]]:
    """Assessment results from CSV (person, skill, level): ratings with source "assessment".

    Returns (ratings added, [(line, why skipped)]); a bad line never stops the others.
    """
    import csv
    import io
    from pathlib import Path

    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ApiError("unreadable", f"cannot read {path}: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    if not {"person", "skill", "level"} <= {(c or "").strip().lower()
                                            for c in reader.fieldnames or []}:
        raise ApiError("invalid_file", "the CSV needs the columns person, skill and level")
    added, skipped = 0, []
    for n, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() if isinstance(v, str) else ""
               for k, v in raw.items()}
        user = db.scalar(select(User).where(User.name == row.get("person", "")))
        try:
            if user is None:
                raise ApiError("no_such_user", f"no user named {row.get('person')!r}")
            level = int(row["level"]) if row.get("level", "").isdigit() else row.get("level")
            db.add(SkillRating(user_id=user.id, skill_id=find_skill(db, row["skill"]).id,
                               level=level_of(app, level), source="assessment"))
            added += 1
        except ApiError as exc:
            skipped.append((f"line {n}", exc.message))
    db.commit()
    return added, skipped
