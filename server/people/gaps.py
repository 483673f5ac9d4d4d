"""Skill gaps (what target roles need beyond a person's levels) and the personal signal that
suggestions and the feed rank with.

Skills meet content through the taxonomy: a topic names the skills content on it teaches, and a
skill's own words name topics ("Budgeting" is the budgeting topic). Nothing here is per-person
scoring of people: a gap is the person's own, shown to them.
"""

import math
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from index import SUBJECT_WEIGHT, SearchHit
from nlp import Context
from server.career.roles import KEY_SKILL, match_title, on_scale, scale
from server.career.skills import named_topics, skill_topics, teaching
from server.people.ratings import labels, rated_levels
from server.people.visibility import privacy_of, profile_of
from server.runtime import engine_of, index_of, taxonomy_of
from server.state import runtime_of
from server.storage.models import (
    Occupation,
    OccupationSkill,
    OccupationTask,
    PersonFeedback,
    Profile,
    Skill,
    User,
)
from server.suggest.results import Personal

MAX_GAPS = 20


@dataclass
class Gap:
    skill_id: str
    name: str  # "Mathematics (knowledge)" where a skill shares the name
    importance: float  # 0..1, the most any target role gives it
    required: int  # level on the scale
    current: int  # 0 when nothing says
    since: str = "none"  # where current comes from: a rating's source, "role", or "none"
    roles: list[str] = field(default_factory=list)  # target role titles that need it
    kind: str = "skill"
    skill: str = ""  # the skill's own name, what content teaching it is found by

    @property
    def score(self) -> float:
        """importance x the share of the scale still to climb."""
        return self.importance * max(0, self.required - self.current) / max(self.required, 1)


RATED = {"assessment": "an assessment", "manager": "your manager's rating", "self": "your rating",
         "peer": "a colleague's rating"}
CLEAR = 0.5  # a target needs clearly more: at least this many levels of the scale above


def known_levels(app: Flask, db: Session, user: User) -> dict[str, tuple[float, str]]:
    """skill id -> (level, where it comes from): ratings (an assessment, the manager, the
    person, a peer) over what the person's current role typically has (O*NET's level data),
    so a skill nobody rated is not taken for zero."""
    out = role_levels(app, db, profile_of(db, user).occupation_id)
    out.update(rated_levels(db, user))
    return out


def role_levels(app: Flask, db: Session, role_id: str | None) -> dict[str, tuple[float, str]]:
    """The levels a role's holders typically have, each skill's as its level data says (on the
    scale, not rounded: rounding made one-level gaps out of nothing)."""
    if not role_id:
        return {}
    rows = db.execute(select(OccupationSkill.skill_id, OccupationSkill.level)
                      .join(Skill, Skill.id == OccupationSkill.skill_id)
                      .where(OccupationSkill.occupation_id == role_id,
                             Skill.kind != "technology"))
    return {skill_id: (position(app, level), "role") for skill_id, level in rows if level > 0}


def position(app: Flask, level: float) -> float:
    """A 0..1 level as a position on the scale, 1 (its lowest) to its length."""
    return 1 + max(0.0, min(1.0, level)) * (len(scale(app)) - 1)


def gaps_for(app: Flask, db: Session, role_ids: list[str],
             levels: dict[str, tuple[float, str]], limit: int = MAX_GAPS) -> list[Gap]:
    """Skills the roles need clearly beyond the known levels, ordered by importance x gap."""
    found: dict[str, Gap] = {}
    for role_id in role_ids:
        role = db.get(Occupation, role_id)
        if role is None:
            continue
        # technologies carry no level in O*NET: a gap to one would be made up
        rows = db.execute(select(Skill, OccupationSkill)
                          .join(OccupationSkill, OccupationSkill.skill_id == Skill.id)
                          .where(OccupationSkill.occupation_id == role_id,
                                 OccupationSkill.importance >= KEY_SKILL,
                                 Skill.kind != "technology"))
        for skill, need in rows:
            current, since = levels.get(skill.id, (0, "none"))
            if position(app, need.level) - current < CLEAR:
                continue
            required = on_scale(app, need.level)
            gap = found.setdefault(skill.id, Gap(skill.id, skill.name, 0.0, required,
                                                 round(current), since, kind=skill.kind,
                                                 skill=skill.name))
            gap.importance = max(gap.importance, need.importance)
            gap.required = max(gap.required, required)
            gap.roles.append(role.title)
    ranked = sorted(found.values(), key=lambda g: (-g.score, g.name))[:limit]
    if not ranked:
        return []
    named = labels(db, [db.get(Skill, g.skill_id) for g in ranked])
    for gap in ranked:
        gap.name = named[gap.skill_id]
    return [g for g in ranked if g.score > 0]


def my_gaps(app: Flask, db: Session, user: User, profile: Profile | None = None) -> list[Gap]:
    """profile: the person's, when the caller has read it already."""
    targets = (profile or profile_of(db, user)).target_roles or []
    return gaps_for(app, db, targets, known_levels(app, db, user)) if targets else []


MAX_DUTIES = 5  # duties of the target roles shown
SAME_DUTY = 0.25  # a task of the current role at least this close (cosine of idf-weighted
# words) is the same duty, done already


@dataclass
class Duty:
    text: str  # O*NET's task statement: "Recruit, hire, train and supervise staff"
    role: str  # the target role's title
    nearest: float  # how close the closest task of the person's current role comes (0..1)


def new_duties(app: Flask, db: Session, current: str | None, targets: list[str],
               limit: int = MAX_DUTIES) -> list[Duty]:
    """The core tasks of the target roles that nothing the current role does resembles: what a
    manager's job adds (hiring, budgets, running a department) comes through here, where skill
    levels alone say little. Without a current role, the targets' first core tasks."""
    if not targets:
        return []
    ix = index_of(app)
    profiles = ix.profiles()

    def words(text: str) -> dict[str, float]:
        counts: dict[str, float] = {}
        for term in ix.analyze(text):
            counts[term] = counts.get(term, 0.0) + profiles.idf(term)
        return counts

    def cosine(a: dict[str, float], b: dict[str, float]) -> float:
        dot = sum(v * b.get(t, 0.0) for t, v in a.items())
        norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
        return dot / norm if norm else 0.0

    mine = [words(t) for t in db.scalars(select(OccupationTask.text).where(
        OccupationTask.occupation_id == current))] if current else []
    found = []
    for role_id in targets:
        role = db.get(Occupation, role_id)
        if role is None:
            continue
        for task in db.scalars(select(OccupationTask).where(
                OccupationTask.occupation_id == role_id, OccupationTask.core)
                .order_by(OccupationTask.position)):
            theirs = words(task.text)
            nearest = max((cosine(theirs, m) for m in mine), default=0.0)
            if nearest < SAME_DUTY:
                found.append(Duty(task.text, role.title, round(nearest, 3)))
    return found[:limit]  # in O*NET's order, which leads with the job's central tasks


def duty_json(app: Flask, duty: Duty, groups: set[str] | None) -> dict:
    return {"task": duty.text, "role": duty.role,
            "content": [{"id": h.id, "title": h.title, "type": h.type, "url": h.url}
                        for h in doing(app, duty.text, groups)]}


def doing(app: Flask, text: str, groups: set[str] | None, limit: int = 3) -> list[SearchHit]:
    """Content for a duty or a goal ("Recruit, hire, train and supervise staff", "prepare for
    my first calibration session"): the suggestions for a page titled with it; when the
    abstainer says no (it judges whether a page is work, and a duty or a goal is work by
    definition), the ranking model's order among the documents whose subject is one of the
    text's main topics. Nothing when the text names no topic or no document is on one."""
    engine = engine_of(app)
    cache = runtime_of(app).duties
    key = (text, frozenset(groups) if groups is not None else None, limit)
    cached = cache.get(key)
    if cached is None or cached[0] is not engine:  # a new library or rules: look again
        page = engine.read(Context(title=text), groups=groups)  # one spaCy pass for both ways
        by_id = {hit.id: hit for hit in page.hits}
        found = [by_id[s.id] for s in engine.suggest_for(page, limit).suggestions if s.id in by_id]
        if not found:  # the abstainer judges pages; on a small library it says no to most
            main = [t.id for t in page.concepts if t.weight >= MAIN_TOPIC]
            order = sorted(range(len(page.hits)), key=lambda i: -float(page.scores[i]))
            found = [page.hits[i] for i in order
                     if any(page.hits[i].topics.get(t, 0.0) >= SUBJECT_WEIGHT for t in main)]
        cached = (engine, found[:limit])
        if len(cache) > 2000:
            cache.clear()
        cache[key] = cached
    return cached[1]


MAIN_TOPIC = 0.5  # a topic this strong in the text is what it is about (the panel's rule too)


def role_title(db: Session, user: User) -> str | None:
    """The title of the person's current role, which their typical levels come from."""
    role_id = profile_of(db, user).occupation_id
    role = db.get(Occupation, role_id) if role_id else None
    return role.title if role else None


def no_skills_data(db: Session, role_ids: list[str]) -> list[str]:
    """Titles of the target roles that have no skills data at all (most of ESCO's outside ICT):
    no gaps to them is not the same as nothing to learn, and the person is told so."""
    out = []
    for role_id in role_ids:
        role = db.get(Occupation, role_id)
        if role is not None and db.scalar(select(OccupationSkill.skill_id).where(
                OccupationSkill.occupation_id == role_id).limit(1)) is None:
            out.append(role.title)
    return out


def personal_for(app: Flask, db: Session, gaps: list[Gap], goals: list[str],
                 focus: list[tuple[str, str]]) -> Personal:
    """The personal signal: topics the person is building, each with the reason to show."""
    out = Personal()
    for gap in gaps:
        reason = f"Builds {gap.name.lower()}, needed for {gap.roles[0]}, your target role"
        for topic in skill_topics(app, gap.name):
            out.add(topic, min(1.0, 0.4 + gap.score), reason)
    for skill, who in focus:
        for topic in skill_topics(app, skill):
            out.add(topic, 0.8, f"Builds {skill.lower()}, which your {who} suggested")
    taxonomy = taxonomy_of(app)
    for goal in goals:
        for topic in named_topics(app, goal):
            out.add(topic, 0.7, f"Towards your goal: {goal}"
                    if len(goal) <= 60 else f"Towards your goal of {taxonomy.label(topic)}")
    return out


def personal(app: Flask, db: Session, user: User) -> Personal | None:
    """The person's signal for suggestions, unless they turned personalisation off."""
    profile = profile_of(db, user)
    if not privacy_of(db, user, profile)["personalize"]:
        return None
    focus = []
    for item in db.scalars(select(PersonFeedback).where(PersonFeedback.subject_id == user.id)):
        names = db.scalars(select(Skill.name).where(Skill.id.in_(item.skills))).all()
        focus += [(n, item.relation) for n in names]
    signal = personal_for(app, db, my_gaps(app, db, user, profile), profile.goals or [],
                          focus)
    return signal if signal.topics else None


def gap_json(app: Flask, gap: Gap, groups: set[str] | None, role: str | None = None) -> dict:
    """A gap as the API and the console show it; role: the title of the person's current
    role, which the typical levels come from."""
    return {"skill": {"id": gap.skill_id, "name": gap.name, "kind": gap.kind},
            "importance": gap.importance, "required": gap.required, "current": gap.current,
            "current_from": gap.since,
            "why": why(app, gap, role),
            "required_label": scale(app)[gap.required - 1], "roles": gap.roles,
            "score": round(gap.score, 3),
            "content": [{"id": h.id, "title": h.title, "type": h.type, "url": h.url}
                        for h in teaching(app, gap.skill or gap.name, groups)]}


def overview(app: Flask, db: Session, user: User) -> dict:
    """What the API's /me/gaps, My learning and `jitlearn persona` show: the gaps, the duties
    the target roles add, and the targets the data has no skills for, content with each."""
    groups, mine = user.memberships(), profile_of(db, user)
    targets, role = mine.target_roles or [], role_title(db, user)
    return {"gaps": [gap_json(app, gap, groups, role) for gap in my_gaps(app, db, user)],
            "duties": [duty_json(app, duty, groups)
                       for duty in new_duties(app, db, mine.occupation_id, targets)],
            "no_skills_data": no_skills_data(db, targets)}


def why(app: Flask, gap: Gap, role: str | None) -> str:
    """Where the gap's numbers come from, in words."""
    levels = scale(app)
    needs = f"needed: {levels[gap.required - 1].lower()}, typical of " \
        f"{' and '.join(gap.roles)}"
    if gap.since in RATED:
        has = f"you: {levels[gap.current - 1].lower()}, {RATED[gap.since]}"
    elif gap.since == "role" and role:
        has = f"you: {levels[gap.current - 1].lower()}, typical of {role} (nobody rated you)"
    else:
        has = "you: not known (rate yourself to refine it)"
    return f"{needs}; {has}"


NEW_JOINER_DAYS = 90  # someone who joined this recently gets onboarding content first


def profile_signal(app: Flask, db: Session, profile: dict) -> Personal | None:
    """The signal for a profile given in words (an evaluation judgment, a test bench):
    {"role": title, "target_role": title, "goals": [...], "tenure_days": n}. The target title is
    matched to imported roles (without career data its own words name the topics); the current
    role says the levels the person typically has, so only what the target needs clearly
    beyond them is a gap."""
    def role_of(title: str, near: str | None = None) -> str | None:
        found = match_title(app, db, title, 1, near) if title else []
        return found[0].occupation_id if found else None

    target_title = str(profile.get("target_role") or "")
    goals = [str(g) for g in profile.get("goals") or [] if str(g).strip()]
    current = role_of(str(profile.get("role") or ""))
    target = role_of(target_title, current)
    held = role_levels(app, db, current)
    signal = personal_for(app, db, gaps_for(app, db, [target], held) if target else [], goals,
                          [])
    if target_title and not target:
        for topic in skill_topics(app, target_title):
            signal.add(topic, 0.6, f"Towards {target_title}, your target role")
    tenure = profile.get("tenure_days")
    if isinstance(tenure, int) and 0 <= tenure <= NEW_JOINER_DAYS:
        for topic in skill_topics(app, "onboarding"):
            signal.add(topic, 0.6, f"You joined {tenure} days ago")
    return signal if signal.topics else None

