"""Skills in demand: flagged by imported data, by admins, or rising in the organisation's work.

Rising demand is counted from the topics of the contexts people asked about (suggestion events
keep topic ids, never text), as distinct people per topic in the last WINDOW_WEEKS weeks against
the weeks before, and only for topics at least MIN_GROUP people met: aggregates, never a person.
The counts are the analytics' (server/analytics.Rollup), which read only what is new.
"""

from flask import Flask
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.runtime import taxonomy_of
from server.storage.models import OccupationSkill, Skill, now
from server.suggest.analytics import ready_rollup, week_of

WINDOW_WEEKS = 4
MIN_GROUP = 5  # fewer people than this are never counted or shown
RISING = 1.5  # this many times the people of the window before


def rising(app: Flask, db: Session) -> dict[str, dict]:
    """skill name (lower case) -> {"topic", "recent", "before"} for topics more people met,
    from the analytics' weekly counts (empty while their first load runs)."""
    r = ready_rollup(app, db)
    if r is None:
        return {}
    current = week_of(now())
    recent_weeks = range(current - WINDOW_WEEKS + 1, current + 1)
    before_weeks = range(current - 2 * WINDOW_WEEKS + 1, current - WINDOW_WEEKS + 1)
    taxonomy = taxonomy_of(app)
    out: dict[str, dict] = {}
    with r.lock:
        counted = [(topic, set().union(*(weeks.get(w, set()) for w in recent_weeks)),
                    set().union(*(weeks.get(w, set()) for w in before_weeks)))
                   for topic, weeks in r.people.items() if topic in taxonomy.topics]
    for topic, recent, before in counted:
        if len(recent) < MIN_GROUP or len(recent) < RISING * max(len(before), 1):
            continue
        # the skills the topic teaches, and a skill named like the topic ("Budgeting")
        names = {s.lower() for s in taxonomy.skills(topic)}
        names |= {topic.replace("-", " "), taxonomy.label(topic).lower()}
        for name in names:
            current_best = out.get(name)
            if current_best is None or len(recent) > current_best["recent"]:
                out[name] = {"topic": taxonomy.label(topic), "recent": len(recent),
                             "before": len(before)}
    return out


def in_demand(app: Flask, db: Session, limit: int | None = 50) -> list[dict]:
    """Skills in demand, each with why: rising at work first, then admin flags, then data
    (all of them when limit is None)."""
    return [{k: v for k, v in s.items() if k != "rank"} for s in _ranked(app, db, limit)]


def _ranked(app: Flask, db: Session, limit: int | None) -> list[dict]:
    """in_demand's skills, each with its "rank": 0 rising, 1 flagged, 2 from job postings."""
    growth = rising(app, db)
    found: dict[str, dict] = {}
    flagged = db.scalars(select(Skill).where(or_(Skill.flagged.is_(True),
                                                 Skill.key.in_(list(growth) or [""]))))
    for skill in flagged:
        why = []
        if skill.key in growth:
            g = growth[skill.key]
            why.append(f"rising at work: {g['recent']} people met {g['topic']} in the last "
                       f"{WINDOW_WEEKS} weeks, {g['before']} in the {WINDOW_WEEKS} before")
        if skill.flagged:
            why.append("flagged in demand by an admin")
        found[skill.id] = {"id": skill.id, "name": skill.name, "why": why,
                           "rank": 0 if skill.key in growth else 1}
    data = db.scalars(select(Skill).where(Skill.in_demand.is_(True), Skill.hot.is_(True))
                      .order_by(Skill.name).limit(limit))
    for skill in data:
        found.setdefault(skill.id, {"id": skill.id, "name": skill.name, "why": [], "rank": 2})
        found[skill.id]["why"].append("in demand in job postings (O*NET hot technology)")
    return sorted(found.values(), key=lambda s: (s["rank"], s["name"]))[:limit]


def for_roles(app: Flask, db: Session, role_ids: list[str]) -> list[dict]:
    """The skills in demand that these roles use (the target roles first), most telling first:
    rising at work, then flagged by an admin, then in demand for one of these roles in job
    postings, then in demand for more occupations. A developer's list starts with what
    developers' postings ask for, not with the alphabet (Adobe Acrobat). Each says what its
    place rests on ("basis": rising, flagged or postings), names the first of the roles that
    uses it ("role") and whether that role's postings ask for it ("for_role")."""
    if not role_ids:
        return []
    used: dict[str, tuple[int, int]] = {}  # skill -> (not in demand for the role, role's place)
    for n, role_id in enumerate(role_ids):
        for skill_id, here in db.execute(select(OccupationSkill.skill_id, OccupationSkill.in_demand)
                                         .where(OccupationSkill.occupation_id == role_id)):
            used[skill_id] = min(used.get(skill_id, (2, n)), (0 if here else 1, n))
    if not used:
        return []
    found = {s["id"]: s for s in _ranked(app, db, None) if s["id"] in used}
    spread = dict(db.execute(
        select(OccupationSkill.skill_id, func.count()).where(
            OccupationSkill.in_demand.is_(True), OccupationSkill.skill_id.in_(list(found)))
        .group_by(OccupationSkill.skill_id)).all()) if found else {}
    ranked = sorted(found.values(), key=lambda s: (s["rank"], *used[s["id"]],
                                                    -spread.get(s["id"], 0), s["name"]))
    basis = ("rising", "flagged", "postings")
    return [{**{k: v for k, v in s.items() if k != "rank"}, "basis": basis[s["rank"]],
             "role": role_ids[used[s["id"]][1]], "for_role": used[s["id"]][0] == 0}
            for s in ranked]


def flag(db: Session, skill: Skill, value: bool) -> None:
    if not isinstance(value, bool):
        raise ApiError("invalid_value", "in_demand is true or false")
    skill.flagged = value
    db.commit()
