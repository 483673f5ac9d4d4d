"""Stretch opportunities: projects, gigs, shadowing, mentoring, "join the next budgeting cycle".

Managers, L&D and admins post them (console, API, or a CSV/JSON feed from an HR system); each
names the skills it builds. An open one reaches the people whose target-role gaps or goals need
those skills (the feed, My learning) and the pages about its subject (the panel, beside the
documents). A person says "I'm interested"; only the owner sees who, and may accept. A filled,
closed or expired opportunity is never shown to anyone but its owner, L&D and admins.
"""

from datetime import date

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.career.skills import named_topics, skill_topics
from server.checks import names
from server.errors import ApiError
from server.people.gaps import my_gaps
from server.people.ratings import find_skill
from server.people.visibility import privacy_of, profile_of
from server.storage.models import (
    OPPORTUNITY_KINDS,
    OPPORTUNITY_STATES,
    Opportunity,
    OpportunityInterest,
    Skill,
    User,
    now,
)

POSTERS = ("manager", "ld", "admin")  # who may post an opportunity
EDITORS = ("ld", "admin")  # who may edit anyone's
MAX_SKILLS = 10
MAX_PLACES = 10
MAX_GROUPS = 20
MAX_NOTE = 500
SHOWN = 3  # opportunities shown on a page or a feed page


def today() -> date:
    return now().date()


def is_live(o: Opportunity) -> bool:
    """Open and not past its last day to say interested."""
    return o.state == "open" and (o.open_until is None or o.open_until >= today())


def may_see(o: Opportunity, user: User) -> bool:
    """Its owner, L&D and admins see every opportunity; others a live one meant for them."""
    if o.owner_id == user.id or user.role in EDITORS:
        return True
    return is_live(o) and (not o.audience or bool(set(o.audience) & user.memberships()))


def may_edit(o: Opportunity, user: User) -> bool:
    return o.owner_id == user.id or user.role in EDITORS


def get(db: Session, user: User, opportunity_id: int) -> Opportunity:
    """The opportunity, or 404 for one the person may not see (as for one that does not exist)."""
    o = db.get(Opportunity, opportunity_id)
    if o is None or not may_see(o, user):
        raise ApiError("no_such_opportunity", f"no opportunity {opportunity_id}", 404)
    return o


# --- posting and editing ------------------------------------------------------------------------

def _date(value, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ApiError("invalid_value", f"{name}: a date as YYYY-MM-DD, not {str(value)[:40]!r}"
                       ) from None


def _skills(db: Session, value) -> list[str]:
    refs = names(value, "skills", MAX_SKILLS, 300)
    return list(dict.fromkeys(find_skill(db, ref).id for ref in refs))


def apply(db: Session, o: Opportunity, body: dict, actor: User | None) -> Opportunity:
    """Set the fields the body sends, each checked; ApiError 400 names the first wrong one.
    actor None: an import run by an operator, who may name any owner."""
    if "title" in body:
        title = " ".join(str(body["title"]).split())
        if not title or len(title) > 200:
            raise ApiError("invalid_value", "title: 1 to 200 characters")
        o.title = title
    if "description" in body:
        if not isinstance(body["description"], str) or len(body["description"]) > 5000:
            raise ApiError("invalid_value", "description: text of at most 5,000 characters")
        o.description = body["description"].strip()
    if "kind" in body:
        if body["kind"] not in OPPORTUNITY_KINDS:
            raise ApiError("invalid_value", f"kind: one of {', '.join(OPPORTUNITY_KINDS)}")
        o.kind = body["kind"]
    if "state" in body:
        if body["state"] not in OPPORTUNITY_STATES:
            raise ApiError("invalid_value", f"state: one of {', '.join(OPPORTUNITY_STATES)}")
        o.state = body["state"]
    if "skills" in body:
        o.skills = _skills(db, body["skills"])
    for name in ("open_until", "starts", "ends"):
        if name in body:
            setattr(o, name, _date(body[name], name))
    if o.starts and o.ends and o.ends < o.starts:
        raise ApiError("invalid_value", "ends: on or after starts")
    if "hours_per_week" in body:
        hours = body["hours_per_week"]
        if hours in (None, ""):
            o.hours_per_week = None
        else:
            try:
                hours = float(hours)
            except (TypeError, ValueError):
                hours = -1.0
            if not 0 < hours <= 80:
                raise ApiError("invalid_value", "hours_per_week: more than 0, at most 80")
            o.hours_per_week = hours
    if "places" in body:
        o.places = names(body["places"], "places", MAX_PLACES, 100)
    if "audience" in body:
        o.audience = [g.lower() for g in names(body["audience"], "audience", MAX_GROUPS, 60)]
    if "owner" in body:
        if actor is not None and actor.role not in EDITORS:
            raise ApiError("forbidden", "only L&D and admins give an opportunity to someone "
                           "else", 403)
        owner = _person(db, body["owner"])
        if owner.role not in POSTERS:
            raise ApiError("invalid_value", f"owner: {owner.name} is an employee; an owner is "
                           "a manager, L&D or an admin")
        o.owner_id = owner.id
    if not o.title:
        raise ApiError("invalid_value", "title: 1 to 200 characters")
    return o


def _person(db: Session, ref) -> User:
    if not isinstance(ref, str) or not ref.strip() or len(ref) > 200:
        raise ApiError("invalid_value", "owner: a user name or email")
    user = db.scalar(select(User).where((User.name == ref.strip()) | (User.email == ref.strip())))
    if user is None or not user.active:
        raise ApiError("invalid_value", f"owner: no active user {ref.strip()!r}")
    return user


def create(db: Session, actor: User, body: dict) -> Opportunity:
    o = Opportunity(owner_id=actor.id, skills=[], places=[], audience=[], title="")
    apply(db, o, body, actor)
    db.add(o)
    db.commit()
    return o


def update(db: Session, actor: User, o: Opportunity, body: dict) -> Opportunity:
    if not may_edit(o, actor):
        raise ApiError("forbidden", "only its owner, L&D and admins change an opportunity", 403)
    apply(db, o, body, actor)
    db.commit()
    return o


# --- what people see ----------------------------------------------------------------------------

def skill_names(db: Session, ids: list[str]) -> list[dict]:
    if not ids:
        return []
    found = {s.id: s.name for s in db.scalars(select(Skill).where(Skill.id.in_(ids)))}
    return [{"id": i, "name": found[i]} for i in ids if i in found]


def when(o: Opportunity) -> str:
    """"2 h a week until 31 January", "from 6 January", ... ("" when nothing is known)."""
    parts = []
    if o.hours_per_week:
        parts.append(f"{o.hours_per_week:g} h a week")
    if o.starts and o.starts > today():
        parts.append(f"from {o.starts.day} {o.starts:%B}")
    if o.ends:
        parts.append(f"until {o.ends.day} {o.ends:%B}")
    elif o.open_until:
        parts.append(f"say you're interested by {o.open_until.day} {o.open_until:%B}")
    return " ".join(parts)


def to_json(db: Session, o: Opportunity, viewer: User, why: str = "") -> dict:
    owner = db.get(User, o.owner_id) if o.owner_id else None
    mine = db.get(OpportunityInterest, (o.id, viewer.id))
    out = {"id": o.id, "title": o.title, "description": o.description, "kind": o.kind,
           "skills": skill_names(db, o.skills or []),
           "open_until": o.open_until.isoformat() if o.open_until else None,
           "starts": o.starts.isoformat() if o.starts else None,
           "ends": o.ends.isoformat() if o.ends else None,
           "hours_per_week": o.hours_per_week, "places": o.places or [],
           "audience": o.audience or [], "state": o.state, "when": when(o),
           "owner": (owner.display_name or owner.name) if owner else "",
           "source": o.source, "my_interest": mine.state if mine else None}
    if why:
        out["why"] = why
    if o.owner_id == viewer.id:  # others, L&D and admins too, never learn a small count
        out["interested"] = db.query(OpportunityInterest).filter_by(opportunity_id=o.id).count()
    return out


def listing(db: Session, viewer: User, mine: bool = False, state: str = "") -> list[Opportunity]:
    """The live opportunities meant for the viewer; mine: those they own (L&D and admins: all),
    in any state, or in the one asked for."""
    query = select(Opportunity).order_by(Opportunity.created_at.desc(), Opportunity.id.desc())
    if mine:
        if viewer.role not in EDITORS:
            query = query.where(Opportunity.owner_id == viewer.id)
        if state:
            query = query.where(Opportunity.state == state)
        return list(db.scalars(query.limit(500)))
    return [o for o in db.scalars(query.where(Opportunity.state == "open").limit(2000))
            if may_see(o, viewer) and is_live(o)]


def _topics(app: Flask, db: Session, o: Opportunity) -> set[str]:
    """The taxonomy topics an opportunity is about: its skills', and those its title names (a
    description's words, far apart, would name topics it is not about)."""
    topics = set(named_topics(app, o.title))
    for s in skill_names(db, o.skills or []):
        topics |= set(skill_topics(app, s["name"]))
    return topics


def _why(app: Flask, db: Session, o: Opportunity, gaps: list, goals: list[str]
         ) -> tuple[float, str]:
    """How much an opportunity builds what the person needs, and why: a target-role gap it
    builds (1 + the gap's score), else a goal its subject is (0.5), else (0, "")."""
    named = {s["id"]: s["name"] for s in skill_names(db, o.skills or [])}
    topics = {s: set(skill_topics(app, name)) for s, name in named.items()}
    for gap in gaps:
        gap_topics = set(skill_topics(app, gap.skill or gap.name))
        built = next((named[s] for s in named if s == gap.skill_id or topics[s] & gap_topics),
                     None)
        if built:
            return 1.0 + gap.score, (f"Builds {built.lower()}, needed for {gap.roles[0]}, your "
                                     "target role" if gap.roles else f"Builds {built.lower()}")
    if goals:
        about = _topics(app, db, o)
        goal = next((g for g in goals if set(named_topics(app, g)) & about), None)
        if goal:
            return 0.5, f"Towards your goal: {goal}"
    return 0.0, ""


def _needs(app: Flask, db: Session, user: User) -> tuple[list, list[str]]:
    """The person's target-role gaps and goals, when they let jitlearn personalise."""
    if not privacy_of(db, user)["personalize"]:
        return [], []
    return my_gaps(app, db, user)[:10], (profile_of(db, user).goals or [])[:5]


def _unanswered(db: Session, user: User) -> list[Opportunity]:
    """Live opportunities meant for the person that they have not said they are interested in."""
    live = listing(db, user)
    if not live:  # most pages: nothing to ask about the person's answers
        return []
    answered = set(db.scalars(select(OpportunityInterest.opportunity_id)
                              .where(OpportunityInterest.user_id == user.id)))
    return [o for o in live if o.id not in answered]


def for_person(app: Flask, db: Session, user: User, limit: int = SHOWN) -> list[dict]:
    """Live opportunities that build the skills of the person's target-role gaps, then of their
    goals, each with why ("Builds budgeting, needed for Engineering Manager, your target role;
    2 h a week until 31 January")."""
    gaps, goals = _needs(app, db, user)
    if not gaps and not goals:
        return []
    found = []
    for o in _unanswered(db, user):
        rank, why = _why(app, db, o, gaps, goals)
        if why:
            found.append((-rank, o.id, o, why + (f"; {when(o)}" if when(o) else "")))
    found.sort(key=lambda f: f[:2])
    return [to_json(db, o, user, why) for _, _, o, why in found[:limit]]


def for_page(app: Flask, db: Session, user: User, topics: dict[str, float],
             limit: int = 1) -> list[dict]:
    """Live opportunities about the page's subject (its strongest topics), for the panel to
    show beside the documents; why says what it builds, for the person when it builds their
    gap or goal (the card shows its dates apart)."""
    if not topics:
        return []
    found = []
    for o in _unanswered(db, user):
        shared = _topics(app, db, o) & set(topics)
        if shared:
            found.append((-max(topics[t] for t in shared), o.id, o))
    found.sort(key=lambda f: f[:2])
    gaps, goals = _needs(app, db, user) if found else ([], [])
    out = []
    for _, _, o in found[:limit]:
        _, why = _why(app, db, o, gaps, goals)
        if not why:
            skills = ", ".join(s["name"].lower() for s in skill_names(db, o.skills or [])[:3])
            why = f"Builds {skills}" if skills else "About this page's subject"
        out.append(to_json(db, o, user, why))
    return out


# --- interest -----------------------------------------------------------------------------------

def say_interested(db: Session, user: User, o: Opportunity, note: str = "") -> dict:
    if not is_live(o):
        raise ApiError("not_open", "this opportunity is no longer open", 409)
    if o.owner_id == user.id:
        raise ApiError("own_opportunity", "this is your own opportunity", 409)
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise ApiError("invalid_value", f"note: text of at most {MAX_NOTE} characters")
    row = db.get(OpportunityInterest, (o.id, user.id))
    if row is None:
        row = OpportunityInterest(opportunity_id=o.id, user_id=user.id, note=note.strip())
        db.add(row)
    elif note:
        row.note = note.strip()
    db.commit()
    return {"opportunity": o.id, "state": row.state}


def withdraw(db: Session, user: User, o: Opportunity) -> None:
    row = db.get(OpportunityInterest, (o.id, user.id))
    if row is not None:
        db.delete(row)
        db.commit()


def interested(db: Session, viewer: User, o: Opportunity) -> list[dict]:
    """Who said they are interested: for the owner only."""
    if o.owner_id != viewer.id:
        raise ApiError("forbidden", "only the opportunity's owner sees who is interested", 403)
    rows = db.execute(select(OpportunityInterest, User)
                      .join(User, User.id == OpportunityInterest.user_id)
                      .where(OpportunityInterest.opportunity_id == o.id)
                      .order_by(OpportunityInterest.created_at, User.id))
    return [{"user_id": u.id, "name": u.display_name or u.name, "email": u.email or "",
             "note": i.note, "state": i.state, "at": i.created_at.isoformat() + "Z"}
            for i, u in rows]


def accept(db: Session, viewer: User, o: Opportunity, user_id: int) -> dict:
    if o.owner_id != viewer.id:
        raise ApiError("forbidden", "only the opportunity's owner accepts people", 403)
    row = db.get(OpportunityInterest, (o.id, user_id))
    if row is None:
        raise ApiError("not_interested", "this person has not said they are interested", 404)
    row.state, row.decided_at = "accepted", now()
    db.commit()
    return {"opportunity": o.id, "user_id": user_id, "state": row.state}


def mine(db: Session, user: User) -> list[dict]:
    """The person's own interest, for their export and My learning."""
    rows = db.execute(select(OpportunityInterest, Opportunity)
                      .join(Opportunity, Opportunity.id == OpportunityInterest.opportunity_id)
                      .where(OpportunityInterest.user_id == user.id)
                      .order_by(OpportunityInterest.created_at))
    return [{"opportunity": o.id, "title": o.title, "state": i.state, "note": i.note,
             "open": is_live(o), "at": i.created_at.isoformat() + "Z"} for i, o in rows]
