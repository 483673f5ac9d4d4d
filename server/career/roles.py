"""Roles (occupations): find one by job title, what it needs, where people go next from it."""

from flask import Flask
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server.career.skills import teaching
from server.career.titles import Match, Matchers, core, key
from server.errors import ApiError
from server.state import runtime_of
from server.storage.models import (
    Occupation,
    OccupationSkill,
    OccupationTitle,
    RelatedOccupation,
    Skill,
)

MAX_SKILLS = 40  # skills listed per role, most important first
KEY_SKILL = 0.5  # a skill from this importance (0..1) is one the role really needs


MAX_SAME = 3  # ESCO occupations shown beside the O*NET one they are


def scale(app: Flask) -> list[str]:
    """The proficiency scale's level names, lowest first (JITLEARN_PROFICIENCY_LEVELS)."""
    return [s.strip() for s in str(app.config["PROFICIENCY_LEVELS"]).split(",") if s.strip()]


def on_scale(app: Flask, level: float) -> int:
    """A 0..1 requirement as a level of the scale (1 = its lowest)."""
    n = len(scale(app))
    return 1 + round(max(0.0, min(1.0, level)) * (n - 1))


def matcher(app: Flask, db: Session) -> Matchers:
    """The title matcher over every occupation's names; rebuilt after an import, here or in
    another process: every import gives its names ids above all before, so the newest id (one
    index lookup) says whether one ran. Counting the names each time cost more than a lookup."""
    runtime = runtime_of(app)
    cached = runtime.titles
    signature = db.scalar(select(func.max(OccupationTitle.id)))
    if cached is None or cached[0] != signature:
        with runtime.lock:
            rows = db.execute(select(OccupationTitle.occupation_id, Occupation.title,
                                     OccupationTitle.title, OccupationTitle.kind)
                              .join(Occupation, Occupation.id == OccupationTitle.occupation_id))
            cached = runtime.titles = (signature, Matchers(rows.all()))
    return cached[1]


def match_title(app: Flask, db: Session, title: str, limit: int = 5,
                near: str | None = None) -> list[Match]:
    """The roles a job title names, best first; near: the person's current role, whose related
    roles win among matches about as good."""
    close: frozenset[str] = frozenset()
    if near:
        close = frozenset([near, *db.scalars(select(RelatedOccupation.related_id)
                                             .where(RelatedOccupation.occupation_id == near))])
    return matcher(app, db).match(title, limit, close)


def find(db: Session, role_id: str) -> Occupation:
    occupation = db.get(Occupation, role_id)
    if occupation is None:
        raise ApiError("no_such_role", f"no role {role_id!r}; find one with "
                       "GET /api/v1/roles?q=<job title>", 404)
    return occupation


def needs(db: Session, role_id: str,
          limit: int = MAX_SKILLS) -> list[tuple[Skill, OccupationSkill]]:
    """The skills a role needs, by importance then level."""
    rows = db.execute(select(Skill, OccupationSkill)
                      .join(OccupationSkill, OccupationSkill.skill_id == Skill.id)
                      .where(OccupationSkill.occupation_id == role_id)
                      .order_by(OccupationSkill.importance.desc(), OccupationSkill.level.desc(),
                                Skill.name))
    return [(s, n) for s, n in rows.all()][:limit]


def skill_json(app: Flask, skill: Skill, need: OccupationSkill | None = None) -> dict:
    out = {"id": skill.id, "name": skill.name, "kind": skill.kind,
           "in_demand": bool(skill.in_demand or skill.flagged), "hot": skill.hot}
    if need is not None:
        out.update(importance=need.importance, level=on_scale(app, need.level),
                   in_demand_here=need.in_demand)
    return out


CREDITS = {
    "onet": "Includes information from the O*NET 29.3 Database by the U.S. Department of Labor, "
            "Employment and Training Administration (USDOL/ETA), used under the CC BY 4.0 "
            "license; ratings rescaled to 0..1 by jitlearn, which USDOL/ETA has not approved, "
            "endorsed or tested. O*NET is a trademark of USDOL/ETA.",
    "esco": "This service uses the ESCO classification of the European Commission.",
}
WITH_CONTENT = 10  # the most important skills of a role come with content that teaches them


def same_roles(db: Session, role_ids: list[str]) -> dict[str, list[dict]]:
    """The occupations of the other source that are each of these (an ESCO occupation and the
    O*NET occupation it is, both ways): id -> [{"id", "title", "source"}]."""
    if not role_ids:
        return {}
    linked = select(Occupation.same_as).where(Occupation.id.in_(role_ids))
    rows = db.execute(select(Occupation.id, Occupation.title, Occupation.same_as).where(
        or_(Occupation.id.in_(role_ids), Occupation.same_as.in_(role_ids),
            Occupation.id.in_(linked))).order_by(Occupation.title))
    by_id = {oid: (title, same) for oid, title, same in rows}
    out: dict[str, list[dict]] = {}
    for role_id in role_ids:
        # the one named like it first ("software developer"), then the shortest names
        named = core(key(by_id.get(role_id, ("", None))[0]))
        found = sorted((oid for oid, (_, same) in by_id.items() if same == role_id),
                       key=lambda o: (core(key(by_id[o][0])) != named, len(by_id[o][0])))
        mine = by_id.get(role_id, ("", None))[1]
        if mine in by_id:
            found.insert(0, mine)
        out[role_id] = [{"id": oid, "title": by_id[oid][0], "source": oid.split(":", 1)[0]}
                        for oid in found[:MAX_SAME]]
    return out


def role_json(app: Flask, db: Session, occupation: Occupation,
              groups: set[str] | None = None) -> dict:
    """A role with its skills; the most important ones with content the viewer may see."""
    skills = []
    for n, (skill, need) in enumerate(needs(db, occupation.id)):
        entry = skill_json(app, skill, need)
        if n < WITH_CONTENT:
            entry["content"] = [{"id": h.id, "title": h.title, "type": h.type, "url": h.url}
                                for h in teaching(app, skill.name, groups, 2)]
        skills.append(entry)
    out = {"id": occupation.id, "title": occupation.title, "source": occupation.source,
           "description": occupation.description, "job_zone": occupation.job_zone,
           "scale": scale(app), "skills": skills}
    if occupation.source in CREDITS:
        out["credit"] = CREDITS[occupation.source]
    return out


def next_roles(db: Session, role_id: str, limit: int = 10) -> list[dict]:
    """Related roles, closest first, each with how many of its key skills this role shares."""
    find(db, role_id)
    mine = {s.id for s, n in needs(db, role_id) if n.importance >= KEY_SKILL}
    rows = db.execute(select(RelatedOccupation, Occupation)
                      .join(Occupation, Occupation.id == RelatedOccupation.related_id)
                      .where(RelatedOccupation.occupation_id == role_id)
                      .order_by(RelatedOccupation.rank).limit(limit)).all()
    out = []
    for link, occupation in rows:
        theirs = {s.id for s, n in needs(db, occupation.id) if n.importance >= KEY_SKILL}
        out.append({"id": occupation.id, "title": occupation.title, "rank": link.rank,
                    "tier": link.tier, "shared_skills": len(mine & theirs),
                    "new_skills": len(theirs - mine)})
    return out
