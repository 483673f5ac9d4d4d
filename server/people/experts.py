"""Colleagues who know: people who said they may be asked about a skill.

Only by their own choice (My learning or PUT /me/expertise, per skill, withdrawn by removing it),
never inferred from what anyone browsed or rated. Each shows only the evidence they chose: their
rating of the skill, their role, the documents they own. The panel shows one or two beside the
documents on a page of that skill's subject, never to the person themselves, and, when they
named audience groups, only to people in those; documents they own show only where the asker
may read them. A deactivated person's expertise is deleted (server/console/accounts.deactivate).
"""

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.career.roles import scale
from server.career.skills import skill_topics
from server.checks import names
from server.errors import ApiError
from server.people.ratings import find_skill, rated_levels
from server.people.visibility import profile_of
from server.runtime import index_of
from server.storage.models import Expertise, Occupation, Skill, User

MAX_SKILLS = 20  # skills one person offers to be asked about
EVIDENCE = ("rating", "role", "documents")  # what a person may choose to show
SHOWN = 2  # experts on one page


def _groups(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):  # a form's field: "finance, managers"
        value = value.replace(",", ";")
    return sorted({g.lower() for g in names(value, "groups", 20, 60)})


def _show(value) -> dict:
    if value is None:
        return {k: True for k in EVIDENCE}
    if not isinstance(value, dict) or set(value) - set(EVIDENCE) or \
            not all(isinstance(v, bool) for v in value.values()):
        raise ApiError("invalid_value", "show: {" + ", ".join(f'"{k}": true or false'
                                                             for k in EVIDENCE) + "}")
    return {k: bool(value.get(k, False)) for k in EVIDENCE}


def offer(db: Session, user: User, items) -> list[dict]:
    """Replace the skills the person may be asked about: [{"skill": id or name, "show":
    {"rating": bool, "role": bool, "documents": bool}, "groups": [only these groups may see
    it; none: everyone]}]."""
    if not isinstance(items, list) or len(items) > MAX_SKILLS:
        raise ApiError("invalid_value", f"skills: a list of at most {MAX_SKILLS}")
    chosen: dict[str, dict] = {}
    for item in items:
        if not isinstance(item, dict) or "skill" not in item or \
                set(item) - {"skill", "show", "groups"}:
            raise ApiError("invalid_value", 'each skill: {"skill": id or name, "show": {...}, '
                           '"groups": [...]}')
        chosen[find_skill(db, item["skill"]).id] = {**_show(item.get("show")),
                                                    "groups": _groups(item.get("groups"))}
    for row in db.scalars(select(Expertise).where(Expertise.user_id == user.id)):
        if row.skill_id not in chosen:
            db.delete(row)
        else:
            row.show = chosen.pop(row.skill_id)
    for skill_id, show in chosen.items():
        db.add(Expertise(user_id=user.id, skill_id=skill_id, show=show))
    db.commit()
    return mine(db, user)


def add(db: Session, user: User, skill_ref, show=None, groups=None) -> list[dict]:
    """One more skill the person may be asked about (or new choices for one), the others kept."""
    skill = find_skill(db, skill_ref)
    kept = [{"skill": e["skill"]["id"], "show": e["show"], "groups": e["groups"]}
            for e in mine(db, user) if e["skill"]["id"] != skill.id]
    return offer(db, user, [*kept, {"skill": skill.id, "show": show, "groups": groups}])


def withdraw(db: Session, user: User, skill_id: str) -> None:
    row = db.get(Expertise, (user.id, skill_id))
    if row is not None:
        db.delete(row)
        db.commit()


def mine(db: Session, user: User) -> list[dict]:
    rows = db.execute(select(Expertise, Skill).join(Skill, Skill.id == Expertise.skill_id)
                      .where(Expertise.user_id == user.id).order_by(Skill.name))
    return [{"skill": {"id": s.id, "name": s.name},
             "show": {k: bool((e.show or {}).get(k)) for k in EVIDENCE},
             "groups": list((e.show or {}).get("groups") or []),
             "since": e.created_at.isoformat() + "Z"} for e, s in rows]


def for_page(app: Flask, db: Session, asker: User, topics: dict[str, float],
             limit: int = SHOWN) -> list[dict]:
    """People who may be asked about the page's subject: active, not the asker, an offered
    skill whose topics the page is about; the strongest topic first. Each with the evidence
    they chose to show (read only for those shown)."""
    if not topics:
        return []
    rows = db.execute(select(Expertise, Skill, User)
                      .join(Skill, Skill.id == Expertise.skill_id)
                      .join(User, User.id == Expertise.user_id)
                      .where(User.active.is_(True), User.id != asker.id)).all()
    groups = asker.memberships()
    found: dict[int, tuple[float, User, list[tuple[Skill, dict, str]]]] = {}
    for e, skill, user in rows:
        only = set((e.show or {}).get("groups") or [])
        if only and not only & groups:
            continue  # they offered it to other groups only
        shared = set(skill_topics(app, skill.name)) & set(topics)
        if not shared:
            continue
        best = max(shared, key=lambda t: topics[t])
        weight, _, skills = found.get(user.id, (0.0, user, []))
        skills.append((skill, e.show or {}, best))
        found[user.id] = (max(weight, topics[best]), user, skills)
    shown = sorted(found.values(), key=lambda f: (-f[0], f[1].id))[:limit]
    for _, _, skills in shown:
        skills.sort(key=lambda s: -topics[s[2]])
    return [_card(app, db, user, skills, groups) for _, user, skills in shown]


def _card(app: Flask, db: Session, user: User, skills: list, groups: set[str]) -> dict:
    """"Ask Dana Kim, Finance: budgeting, owner of the Budget Policy"."""
    skill, show, topic = skills[0]
    profile = profile_of(db, user)
    evidence, documents = [], []
    if show.get("rating"):
        rated = rated_levels(db, user).get(skill.id)
        if rated:
            names = scale(app)
            label = names[max(1, min(rated[0], len(names))) - 1].lower()
            whose = "own rating" if rated[1] == "self" else f"{rated[1]}'s rating"
            evidence.append(f"{skill.name.lower()}: {label} ({whose})")
    role = db.get(Occupation, profile.occupation_id) if profile.occupation_id else None
    if show.get("role") and role is not None:
        evidence.append(role.title)
    if show.get("documents"):
        owners = {x for x in (user.email, user.display_name, user.name) if x}
        for owner in owners:
            _, hits, _ = index_of(app).browse(owner=owner, topic=topic, limit=5)
            documents += [{"id": h.id, "title": h.title} for h in hits
                          if not h.audience or set(h.audience) & groups]
        documents = list({d["id"]: d for d in documents}.values())[:2]
        if documents:
            evidence.append("owner of " + " and ".join(d["title"] for d in documents))
    name = user.display_name or user.name
    where = f", {profile.department}" if profile.department else ""
    about = ", ".join(s.name.lower() for s, _, _ in skills[:3])
    return {"user_id": user.id, "name": name, "email": user.email or "",
            "department": profile.department or "", "skills": [
                {"id": s.id, "name": s.name} for s, _, _ in skills[:3]],
            "evidence": evidence, "documents": documents,
            "why": f"Ask {name}{where}: {about}" + (f"; {'; '.join(evidence)}" if evidence
                                                     else "")}
