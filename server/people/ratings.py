"""Skill ratings with provenance (self, manager, peer, assessment), the levels that count, a
team's skills as counts, and assessment results from a CSV file."""

import re

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.career.roles import scale
from server.errors import ApiError
from server.people.visibility import reports
from server.storage.models import (
    Skill,
    SkillRating,
    User,
)

SOURCES = ("self", "manager", "peer", "assessment")


def find_skill(db: Session, ref) -> Skill:
    """A skill by id ("onet:2.A.1.a"), by name ("Programming"), or by name and kind when one
    name is several ("Mathematics (knowledge)": O*NET has a skill and a knowledge area)."""
    if not isinstance(ref, str) or not ref.strip() or len(ref) > 300:
        raise ApiError("invalid_value", "a skill is its id or its name")
    skill = db.get(Skill, ref)
    if skill is not None:
        return skill
    name = " ".join(ref.split()).lower()
    kind = re.fullmatch(r"(.+?) \((skill|knowledge|technology)\)", name)
    found = db.scalars(select(Skill).where(Skill.key == (kind[1] if kind else name))
                       .order_by(Skill.id)).all()
    if kind:
        found = [s for s in found if s.kind == kind[2]]
    if not found:
        raise ApiError("no_such_skill", f"no skill {ref!r}; a role's skills are listed by "
                       "GET /api/v1/roles/<id>", 404)
    if len({s.kind for s in found}) > 1:
        raise ApiError("ambiguous_skill", f"{ref!r} names " + " and ".join(
            f"a {s.kind} ({s.id})" for s in found) + "; say which: its id, or " + " or ".join(
            f"'{s.name} ({s.kind})'" for s in found), 400)
    return found[0]


def labels(db: Session, skills: list[Skill]) -> dict[str, str]:
    """skill id -> the name to show: 'Mathematics (knowledge)' where one name is several kinds."""
    names = {s.key for s in skills}
    shared = set(db.scalars(select(Skill.key).where(Skill.key.in_(names)).group_by(Skill.key)
                            .having(func.count(func.distinct(Skill.kind)) > 1)))
    return {s.id: f"{s.name} ({s.kind})" if s.key in shared else s.name for s in skills}


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
    named = labels(db, [skill for _, skill in rows])
    skills: dict[str, dict] = {}
    for rating, skill in rows:
        entry = skills.setdefault(skill.id, {"id": skill.id, "name": named[skill.id],
                                             "kind": skill.kind, "levels": {}})
        entry["levels"][rating.source] = rating.level
    return sorted(skills.values(), key=lambda s: s["name"])


SOURCE_ORDER = {"assessment": 0, "manager": 1, "self": 2, "peer": 3}  # which rating counts


def current_levels(db: Session, subject: User) -> dict[str, int]:
    """skill id -> the level that counts: an assessment, else the manager's, else own, else
    a peer's (the most recent of each)."""
    return {k: level for k, (level, _) in rated_levels(db, subject).items()}


def rated_levels(db: Session, subject: User) -> dict[str, tuple[int, str]]:
    """skill id -> (the level that counts, the source it came from), as current_levels."""
    latest: dict[str, dict[str, int]] = {}
    for skill_id, source, level in db.execute(
            select(SkillRating.skill_id, SkillRating.source, SkillRating.level)
            .where(SkillRating.user_id == subject.id)
            .order_by(SkillRating.created_at, SkillRating.id)):
        latest.setdefault(skill_id, {})[source] = level
    out = {}
    for skill_id, by_source in latest.items():
        source = min(by_source, key=SOURCE_ORDER.__getitem__)
        out[skill_id] = (by_source[source], source)
    return out


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
            level = int(row["level"]) if row.get("level", "").isdecimal() else row.get("level")
            db.add(SkillRating(user_id=user.id, skill_id=find_skill(db, row["skill"]).id,
                               level=level_of(app, level), source="assessment"))
            added += 1
        except ApiError as exc:
            skipped.append((f"line {n}", exc.message))
    db.commit()
    return added, skipped
