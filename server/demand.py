"""Skills in demand: flagged by imported data, by admins, or rising in the organisation's work.

Rising demand is counted from the topics of the contexts people asked about (suggestion events
keep topic ids, never text), as distinct people per topic in the last WINDOW_DAYS against the
window before, and only for topics at least MIN_GROUP people met: aggregates, never a person.
"""

from collections import defaultdict
from datetime import timedelta

from flask import Flask
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .errors import ApiError
from .models import Skill, SuggestionEvent, now
from .services import taxonomy_of

WINDOW_DAYS = 30
MIN_GROUP = 5  # fewer people than this are never counted or shown
RISING = 1.5  # this many times the people of the window before


def rising(app: Flask, db: Session) -> dict[str, dict]:
    """skill name (lower case) -> {"topic", "recent", "before"} for topics more people met."""
    since = now() - timedelta(days=2 * WINDOW_DAYS)
    middle = now() - timedelta(days=WINDOW_DAYS)
    people: dict[str, tuple[set, set]] = defaultdict(lambda: (set(), set()))
    rows = db.execute(select(SuggestionEvent.user_id, SuggestionEvent.topics,
                             SuggestionEvent.created_at)
                      .where(SuggestionEvent.created_at >= since))
    for user_id, topics, at in rows:
        for topic in topics or []:
            people[topic][0 if at >= middle else 1].add(user_id)
    taxonomy = taxonomy_of(app)
    out: dict[str, dict] = {}
    for topic, (recent, before) in people.items():
        if topic not in taxonomy.topics or len(recent) < MIN_GROUP:
            continue
        if len(recent) >= RISING * max(len(before), 1):
            # the skills the topic teaches, and a skill named like the topic ("Budgeting")
            names = {s.lower() for s in taxonomy.skills(topic)}
            names |= {topic.replace("-", " "), taxonomy.label(topic).lower()}
            for name in names:
                current = out.get(name)
                if current is None or len(recent) > current["recent"]:
                    out[name] = {"topic": taxonomy.label(topic), "recent": len(recent),
                                 "before": len(before)}
    return out


def in_demand(app: Flask, db: Session, limit: int = 50) -> list[dict]:
    """Skills in demand, each with why: rising at work first, then admin flags, then data."""
    growth = rising(app, db)
    found: dict[str, dict] = {}
    flagged = db.scalars(select(Skill).where(or_(Skill.flagged.is_(True),
                                                 Skill.key.in_(list(growth) or [""]))))
    for skill in flagged:
        why = []
        if skill.key in growth:
            g = growth[skill.key]
            why.append(f"rising at work: {g['recent']} people met {g['topic']} in the last "
                       f"{WINDOW_DAYS} days, {g['before']} in the {WINDOW_DAYS} before")
        if skill.flagged:
            why.append("flagged in demand by an admin")
        found[skill.id] = {"id": skill.id, "name": skill.name, "why": why,
                           "rank": 0 if skill.key in growth else 1}
    data = db.scalars(select(Skill).where(Skill.in_demand.is_(True), Skill.hot.is_(True))
                      .order_by(Skill.name).limit(limit))
    for skill in data:
        found.setdefault(skill.id, {"id": skill.id, "name": skill.name, "why": [], "rank": 2})
        found[skill.id]["why"].append("in demand in job postings (O*NET hot technology)")
    ranked = sorted(found.values(), key=lambda s: (s["rank"], s["name"]))[:limit]
    return [{k: v for k, v in s.items() if k != "rank"} for s in ranked]


def flag(db: Session, skill: Skill, value: bool) -> None:
    if not isinstance(value, bool):
        raise ApiError("invalid_value", "in_demand is true or false")
    skill.flagged = value
    db.commit()
