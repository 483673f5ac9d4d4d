"""What every career-data import shares: its report, its errors and how it writes the tables."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from server.career.titles import KIND_WEIGHT, core, key
from server.storage.models import (
    Occupation,
    OccupationSkill,
    OccupationTask,
    OccupationTitle,
    RelatedOccupation,
    Skill,
)

MAX_FILE_BYTES = 200 * 2**20


class CareerDataError(ValueError):
    """The data cannot be imported; the message says what is missing or wrong."""


@dataclass
class ImportReport:
    source: str
    occupations: int = 0
    titles: int = 0
    skills: int = 0
    requirements: int = 0  # occupation-skill pairs
    related: int = 0
    tasks: int = 0  # task statements (what people in the occupations do)
    missing: list[str] = field(default_factory=list)  # optional files not found
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    borrowed: int = 0  # occupations whose skill ratings come from their closest relative
    same: int = 0  # ESCO occupations linked to the O*NET occupation they are
    seconds: float = 0.0

    def summary(self) -> str:
        text = (f"{self.source}: {self.occupations:,} occupations, {self.titles:,} titles, "
                f"{self.skills:,} skills, {self.requirements:,} skill requirements, "
                f"{self.related:,} related-occupation links"
                + (f", {self.tasks:,} tasks" if self.tasks else "") + f"; {self.seconds:.1f}s")
        if self.same:
            text += f"\n  {self.same:,} ESCO occupations linked to the O*NET occupation they are"
        if self.borrowed:
            text += (f"\n  {self.borrowed} occupations have no skill or knowledge ratings of "
                     "their own: they take those of their closest related occupation")
        if self.missing:
            text += f"\n  not found (skipped): {', '.join(self.missing)}"
        return text


def skill_row(sid: str, name: str, kind: str, description: str = "") -> dict:
    name = " ".join(name.split())[:300]
    return {"id": sid, "source": sid.split(":", 1)[0], "name": name, "key": name.lower(),
            "kind": kind, "description": description, "hot": False, "in_demand": False}


def need_row(oid: str, sid: str) -> dict:
    return {"occupation_id": oid, "skill_id": sid, "importance": 0.5, "level": 0.5,
            "in_demand": False}


def replace_source(db: Session, source: str, occupations: dict[str, dict],
                   titles: list[tuple[str, str, str]], skills: dict[str, dict],
                   needs: list[dict], related: list[dict],
                   tasks: list[dict] | None = None) -> None:
    """One transaction: update what exists, insert what is new, drop what the source dropped."""
    prefix = f"{source}:"
    # names get ids above every id used so far: the newest id then says "an import ran" to
    # every serving process (career/roles.matcher), even when the same number comes back
    first = (db.scalar(select(func.max(OccupationTitle.id))) or 0) + 1
    old_occ = set(db.scalars(select(Occupation.id).where(Occupation.source == source)))
    old_skills = set(db.scalars(select(Skill.id).where(Skill.source == source)))
    mine = Occupation.id.like(f"{prefix}%")
    db.execute(delete(OccupationTitle).where(OccupationTitle.occupation_id.like(f"{prefix}%")))
    db.execute(delete(OccupationSkill).where(OccupationSkill.occupation_id.like(f"{prefix}%")))
    db.execute(delete(RelatedOccupation).where(
        RelatedOccupation.occupation_id.like(f"{prefix}%")))
    db.execute(delete(OccupationTask).where(OccupationTask.occupation_id.like(f"{prefix}%")))
    upsert(db, Occupation, occupations, old_occ)
    upsert(db, Skill, skills, old_skills)
    gone = old_occ - set(occupations)
    if gone:
        db.execute(delete(Occupation).where(mine, Occupation.id.in_(gone)))
    bulk_insert(db, OccupationTitle, [{"id": first + n, "occupation_id": o, "title": t,
                                       "key": key(t)[:300], "kind": k}
                                      for n, (o, t, k) in enumerate(titles)])
    bulk_insert(db, OccupationSkill, needs)
    bulk_insert(db, RelatedOccupation, related)
    bulk_insert(db, OccupationTask, tasks or [])
    db.commit()


def upsert(db: Session, model, rows: dict[str, dict], existing: set[str]) -> None:
    new = [r for i, r in rows.items() if i not in existing]
    bulk_insert(db, model, new)
    for i in existing & set(rows):  # updates keep columns the import does not set (flagged)
        db.execute(update(model).where(model.id == i).values(**rows[i]))


def bulk_insert(db: Session, model, rows: list[dict], chunk: int = 5000) -> None:
    for start in range(0, len(rows), chunk):
        db.execute(insert(model), rows[start:start + chunk])


def counts(db: Session) -> dict[str, int]:
    """Occupations per source, for status lines."""
    out: dict[str, int] = defaultdict(int)
    for source in db.scalars(select(Occupation.source)):
        out[source] += 1
    return dict(out)


def link_same(db: Session) -> int:
    """Link each ESCO occupation to the O*NET occupation it is, by their names: the one its
    preferred label names ("accountant": Accountants and Auditors), its other names breaking a
    tie; when the label names none, the one at least two of its other names name. Run after
    either import (the other may come first); returns how many were linked."""
    db.execute(update(Occupation).where(Occupation.source == "esco").values(same_as=None))
    exact: dict[str, list[tuple[float, str]]] = defaultdict(list)  # O*NET's names, as keys
    cores: dict[str, list[tuple[float, str]]] = defaultdict(list)  # and without rank words
    for onet_id, name_key, kind in db.execute(
            select(OccupationTitle.occupation_id, OccupationTitle.key, OccupationTitle.kind)
            .where(OccupationTitle.occupation_id.like("onet:%"))):
        exact[name_key].append((KIND_WEIGHT.get(kind, 0.8), onet_id))
        cores[core(name_key)].append((KIND_WEIGHT.get(kind, 0.8) * 0.95, onet_id))
    if not exact:
        db.commit()
        return 0
    named: dict[str, dict[str, float]] = defaultdict(dict)  # esco id -> by its label
    votes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    names: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for esco_id, name_key, kind in db.execute(
            select(OccupationTitle.occupation_id, OccupationTitle.key, OccupationTitle.kind)
            .where(OccupationTitle.occupation_id.like("esco:%"))):
        found: dict[str, float] = {}
        for weight, onet_id in exact.get(name_key) or cores.get(core(name_key), []):
            found[onet_id] = max(found.get(onet_id, 0.0), weight)
        for onet_id, weight in found.items():
            if kind == "title":
                named[esco_id][onet_id] = weight
            else:
                votes[esco_id][onet_id] += weight / len(found)
                names[esco_id][onet_id] += 1
    links = {}
    for esco_id in set(named) | set(votes):
        if named[esco_id]:
            links[esco_id] = max(named[esco_id], key=lambda o: (named[esco_id][o],
                                                                votes[esco_id][o], o))
        else:
            best = max(votes[esco_id], key=lambda o: (votes[esco_id][o], o))
            if names[esco_id][best] >= 2:
                links[esco_id] = best
    if links:  # one statement: an UPDATE by primary key for every link
        db.execute(update(Occupation), [{"id": e, "same_as": o} for e, o in links.items()])
    db.commit()
    return len(links)
