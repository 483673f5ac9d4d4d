"""Skill gaps (what target roles need beyond a person's levels) and the personal signal that
suggestions and the feed rank with.

Skills meet content through the taxonomy: a topic names the skills content on it teaches, and a
skill's own words name topics ("Budgeting" is the budgeting topic). Nothing here is per-person
scoring of people: a gap is the person's own, shown to them.
"""

from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.career.roles import KEY_SKILL, match_title, on_scale, scale
from server.career.skills import named_topics, skill_topics, teaching
from server.people.ratings import current_levels
from server.people.visibility import privacy_of, profile_of
from server.runtime import taxonomy_of
from server.storage.models import Occupation, OccupationSkill, PersonFeedback, Skill, User
from server.suggest.results import Personal

MAX_GAPS = 20


@dataclass
class Gap:
    skill_id: str
    name: str
    importance: float  # 0..1, the most any target role gives it
    required: int  # level on the scale
    current: int  # 0 when never rated
    roles: list[str] = field(default_factory=list)  # target role titles that need it

    @property
    def score(self) -> float:
        """importance x the share of the scale still to climb."""
        return self.importance * max(0, self.required - self.current) / max(self.required, 1)


def gaps_for(app: Flask, db: Session, role_ids: list[str], levels: dict[str, int],
             limit: int = MAX_GAPS) -> list[Gap]:
    """Skills the roles need beyond the given levels, ordered by importance x gap."""
    found: dict[str, Gap] = {}
    for role_id in role_ids:
        role = db.get(Occupation, role_id)
        if role is None:
            continue
        rows = db.execute(select(Skill, OccupationSkill)
                          .join(OccupationSkill, OccupationSkill.skill_id == Skill.id)
                          .where(OccupationSkill.occupation_id == role_id,
                                 OccupationSkill.importance >= KEY_SKILL))
        for skill, need in rows:
            required, current = on_scale(app, need.level), levels.get(skill.id, 0)
            if current >= required:
                continue
            gap = found.setdefault(skill.id, Gap(skill.id, skill.name, 0.0, required, current))
            gap.importance = max(gap.importance, need.importance)
            gap.required = max(gap.required, required)
            gap.roles.append(role.title)
    ranked = sorted(found.values(), key=lambda g: (-g.score, g.name))
    return [g for g in ranked if g.score > 0][:limit]


def my_gaps(app: Flask, db: Session, user: User) -> list[Gap]:
    return gaps_for(app, db, profile_of(db, user).target_roles or [], current_levels(db, user))


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
    if not privacy_of(db, user)["personalize"]:
        return None
    profile = profile_of(db, user)
    focus = []
    for item in db.scalars(select(PersonFeedback).where(PersonFeedback.subject_id == user.id)):
        names = db.scalars(select(Skill.name).where(Skill.id.in_(item.skills))).all()
        focus += [(n, item.relation) for n in names]
    signal = personal_for(app, db, my_gaps(app, db, user), profile.goals or [], focus)
    return signal if signal.topics else None


def gap_json(app: Flask, gap: Gap, groups: set[str] | None) -> dict:
    return {"skill": {"id": gap.skill_id, "name": gap.name}, "importance": gap.importance,
            "required": gap.required, "current": gap.current,
            "required_label": scale(app)[gap.required - 1], "roles": gap.roles,
            "score": round(gap.score, 3),
            "content": [{"id": h.id, "title": h.title, "type": h.type, "url": h.url}
                        for h in teaching(app, gap.name, groups)]}


NEW_JOINER_DAYS = 90  # someone who joined this recently gets onboarding content first


def profile_signal(app: Flask, db: Session, profile: dict) -> Personal | None:
    """The signal for a profile given in words (an evaluation judgment, a test bench):
    {"role": title, "target_role": title, "goals": [...], "tenure_days": n}. The target title is
    matched to imported roles (without career data its own words name the topics); the current
    role adds nothing yet: it only ever narrowed what was shown, which cost relevance."""
    def role_of(title: str) -> str | None:
        found = match_title(app, db, title, 1) if title else []
        return found[0].occupation_id if found else None

    target_title = str(profile.get("target_role") or "")
    goals = [str(g) for g in profile.get("goals") or [] if str(g).strip()]
    target = role_of(target_title)
    signal = personal_for(app, db, gaps_for(app, db, [target], {}) if target else [], goals, [])
    if target_title and not target:
        for topic in skill_topics(app, target_title):
            signal.add(topic, 0.6, f"Towards {target_title}, your target role")
    tenure = profile.get("tenure_days")
    if isinstance(tenure, int) and 0 <= tenure <= NEW_JOINER_DAYS:
        for topic in skill_topics(app, "onboarding"):
            signal.add(topic, 0.6, f"You joined {tenure} days ago")
    return signal if signal.topics else None

