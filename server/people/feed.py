"""The personal learning feed: one ranked stream from everything that says what to learn next.

Sources, strongest first: mandatory policies not yet acknowledged; content that closes the gaps
to the target roles (their skills and the duties they add); skills a manager or a peer suggested;
the person's goals; core skills of the current role; skills in demand that the person's roles
use. The first page also brings the open opportunities that build the same gaps and goals
(server/people/opportunities.py). Each item says which source put it there (and which others
agree). An item dismissed, marked not relevant or completed from the feed never comes back, a
snoozed one stays away for SNOOZE_DAYS, an acknowledged one until its next version.
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from index import SearchHit
from server.career.skills import teaching
from server.people import opportunities
from server.people.demand import for_roles
from server.people.gaps import doing, my_gaps, new_duties
from server.people.visibility import privacy_of, profile_of
from server.runtime import index_of
from server.storage.models import (
    SNOOZE_DAYS,
    SUPPRESSING,
    Feedback,
    Occupation,
    OccupationSkill,
    PersonFeedback,
    Skill,
    SuggestionEvent,
    User,
    now,
)
from server.suggest.feedback import acknowledged

FEED = "feed"  # the topic feed requests are recorded under, so feedback on them is the feed's
WEIGHTS = {"mandatory": 1.0, "gap": 0.9, "feedback": 0.85, "goal": 0.8, "core": 0.6,
           "in_demand": 0.5}
PER_SKILL = 3  # items per skill, best first; later ones count a little less
MAX_SKILLS = 5  # skills taken from each source
MAX_TRIED = 25  # in-demand skills looked up before giving up on finding content for more
MAX_PER_PAGE = 50


@dataclass
class Item:
    hit: SearchHit
    source: str
    reason: str
    score: float
    also: list[str] = field(default_factory=list)


def hidden(db: Session, user: User) -> set[str]:
    """Content the person sent away from the feed, or completed anywhere."""
    since = now() - timedelta(days=SNOOZE_DAYS)
    rows = db.execute(select(Feedback.content_id, Feedback.action, Feedback.topics).where(
        Feedback.user_id == user.id,
        or_(Feedback.action.in_(SUPPRESSING),
            (Feedback.action == "snoozed") & (Feedback.created_at >= since))))
    return {cid for cid, action, topics in rows if action == "completed" or FEED in topics}


def build(app: Flask, db: Session, user: User) -> list[Item]:
    groups = user.memberships()
    items: dict[str, Item] = {}

    def offer(hit: SearchHit, source: str, reason: str, strength: float) -> None:
        score = WEIGHTS[source] * strength
        current = items.get(hit.id)
        if current is None:
            items[hit.id] = Item(hit, source, reason, score)
            return
        if reason not in (current.reason, *current.also):
            if score > current.score:
                current.also.insert(0, current.reason)
                current.hit, current.source, current.reason = hit, source, reason
            else:
                current.also.append(reason)
        current.score = max(current.score, score) + 0.05  # sources agreeing count

    def teach(skill: str, source: str, reason: str, strength: float) -> int:
        hits = teaching(app, skill, groups, PER_SKILL)
        for n, hit in enumerate(hits):
            offer(hit, source, reason, strength * (1 - 0.15 * n))
        return len(hits)

    seen = acknowledged(db, user.id)
    for hit in index_of(app).mandatory(groups):
        if hit.hash not in seen.get(hit.id, ()):
            reason, urgency = _why_due(hit, groups, hit.id in seen)
            offer(hit, "mandatory", reason, 1.0 + urgency)
    if not privacy_of(db, user)["personalize"]:
        return _ranked(items, hidden(db, user), seen)
    mine = profile_of(db, user)
    for duty in new_duties(app, db, mine.occupation_id, mine.target_roles or [], MAX_SKILLS):
        for n, hit in enumerate(doing(app, duty.text, groups, PER_SKILL)):
            offer(hit, "gap", f"Prepares you for what {duty.role} do: "
                  f"{duty.text[0].lower()}{duty.text[1:].rstrip('.')}", 0.8 * (1 - 0.15 * n))
    for gap in my_gaps(app, db, user)[:MAX_SKILLS]:
        teach(gap.skill, "gap", f"Builds {gap.name.lower()}, needed for {gap.roles[0]}, your "
              "target role", 0.5 + 0.5 * gap.score)
    for item in db.scalars(select(PersonFeedback).where(PersonFeedback.subject_id == user.id)
                           .order_by(PersonFeedback.id.desc()).limit(MAX_SKILLS)):
        who = "your manager" if item.relation == "manager" else "a peer you asked"
        for name in db.scalars(select(Skill.name).where(Skill.id.in_(item.skills))):
            teach(name, "feedback", f"{who.capitalize()} suggested focusing on {name.lower()}",
                  1.0)
    for goal in (mine.goals or [])[:MAX_SKILLS]:
        for n, hit in enumerate(doing(app, goal, groups, PER_SKILL)):
            offer(hit, "goal", f"Towards your goal: {goal}", 1.0 - 0.15 * n)
    role_skills = _role_skills(db, mine.occupation_id)
    role = db.get(Occupation, mine.occupation_id or "")
    for name, importance in role_skills[:MAX_SKILLS]:
        if role is not None and importance >= 0.7:
            teach(name, "core", f"A core skill of {role.title}, your role", importance)
    roles = [*(mine.target_roles or []), *([mine.occupation_id] if mine.occupation_id else [])]
    taught = 0  # in-demand skills the library teaches, the most telling first
    for skill in for_roles(app, db, roles)[:MAX_TRIED]:
        if taught == MAX_SKILLS:
            break
        taught += teach(skill["name"], "in_demand", _why_in_demand(db, skill), 1.0) > 0
    return _ranked(items, hidden(db, user), seen)


def _why_in_demand(db: Session, skill: dict) -> str:
    """"Python is in demand in job postings for Software Developers (O*NET)", or the first other
    reason it is in demand ("rising at work: ...")."""
    role = db.get(Occupation, skill["role"])
    if role is None or skill["basis"] != "postings":
        return f"{skill['name']} is in demand: {skill['why'][0]}"
    if skill["for_role"]:
        return f"{skill['name']} is in demand in job postings for {role.title} (O*NET)"
    return (f"{skill['name']}, which {role.title} use, is in demand in job postings (O*NET hot "
            "technology)")


def _why_due(hit: SearchHit, groups: set[str], acknowledged_before: bool) -> tuple[str, float]:
    """Why a mandatory item is due, and how urgent (0..0.1): one that changed since the
    person acknowledged it, then one meant for their group rather than for everyone, then the
    most recently changed. Every one of them is due; this is only their order."""
    targeted = sorted(set(hit.audience) & groups)
    when = hit.changed.timestamp() / 1e12 if hit.changed else 0.0  # < 0.002 until 2033
    if acknowledged_before:
        return "Mandatory: it changed since you acknowledged it", 0.06 + when
    if targeted:
        return f"Mandatory for {', '.join(targeted)}: not acknowledged yet", 0.03 + when
    return "Mandatory for everyone: not acknowledged yet", when


def _role_skills(db: Session, role_id: str | None) -> list[tuple[str, float]]:
    """Skills the current role needs, most important first."""
    if not role_id:
        return []
    rows = db.execute(select(Skill.name, OccupationSkill.importance)
                      .join(OccupationSkill, OccupationSkill.skill_id == Skill.id)
                      .where(OccupationSkill.occupation_id == role_id)
                      .order_by(OccupationSkill.importance.desc(), Skill.name))
    return [(name, importance) for name, importance in rows]


SAME_SOURCE = 0.85  # each further item of a source counts this much less: a feed of one kind
# (ten in-demand technologies) hides the gaps and suggestions a person came for


def _ranked(items: dict[str, Item], hide: set[str], seen: dict[str, set[str]]) -> list[Item]:
    """Best first, sources mixed, without what was sent away or acknowledged in its current
    version. Mandatory items keep their place: every one of them is due."""
    left = sorted((i for i in items.values() if i.hit.id not in hide
                   and i.hit.hash not in seen.get(i.hit.id, ())),
                  key=lambda i: (-i.score, i.hit.id))
    order = {id(item): n for n, item in enumerate(left)}
    queues: dict[str, list[Item]] = {}  # each source's items, best first
    for item in left:
        queues.setdefault(item.source, []).append(item)
    out: list[Item] = []
    taken: dict[str, int] = {}
    titles: set[str] = set()  # two copies of one course (two sources of it) show once

    def worth(item: Item) -> tuple[float, int]:
        fade = 1.0 if item.source == "mandatory" else SAME_SOURCE ** taken.get(item.source, 0)
        return item.score * fade, -order[id(item)]

    while queues:  # the best next item is the head of one of the sources
        source = max(queues, key=lambda name: worth(queues[name][0]))
        best = queues[source].pop(0)
        if not queues[source]:
            del queues[source]
        title = " ".join(best.hit.title.lower().split())
        if title in titles and best.source != "mandatory":
            continue
        titles.add(title)
        out.append(best)
        taken[best.source] = taken.get(best.source, 0) + 1
    return out


def page(app: Flask, db: Session, user: User, number: int, per_page: int,
         mandatory_apart: bool = False) -> dict:
    """One page of the feed, recorded (ids only) so feedback on its items can be given.
    mandatory_apart: the mandatory items not yet acknowledged all come in "mandatory" (not
    paged: every one of them is due), and the pages are of the rest."""
    ranked = build(app, db, user)
    required = [i for i in ranked if i.source == "mandatory"] if mandatory_apart else []
    ranked = [i for i in ranked if i.source != "mandatory"] if mandatory_apart else ranked
    start = (number - 1) * per_page
    shown = ranked[start:start + per_page]
    request_id = uuid.uuid4().hex
    db.add(SuggestionEvent(request_id=request_id, user_id=user.id, topics=[FEED],
                           shown=[i.hit.id for i in required + shown]))
    db.commit()
    answer = {"request_id": request_id, "page": number, "per_page": per_page,
              "total": len(ranked), "items": [_item_json(i) for i in shown]}
    if mandatory_apart:
        answer["mandatory"] = [_item_json(i) for i in required]
    # things to take part in that build the same gaps and goals, on the first page
    answer["opportunities"] = opportunities.for_person(app, db, user) if number == 1 else []
    return answer


def _item_json(i: Item) -> dict:
    return {"id": i.hit.id, "title": i.hit.title, "url": i.hit.url, "type": i.hit.type,
            "summary": i.hit.summary, "source": i.source, "reason": i.reason, "also": i.also,
            "score": round(i.score, 3)}
