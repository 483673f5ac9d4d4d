"""An organisation's own job architecture: a CSV row per role: level, skills, next roles."""

import csv
import io
import re
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.career.imports.common import (
    CareerDataError,
    ImportReport,
    need_row,
    replace_source,
    skill_row,
)
from server.career.imports.onet import number
from server.storage.models import (
    Skill,
)

ROLE_COLUMNS = ("role", "level", "skills", "next_roles")


def import_roles(db: Session, path: str | Path) -> ImportReport:
    """An organisation's roles from CSV: role, level, skills, next_roles (and description).

    skills: "name:importance:level" separated by ";" (importance and level 0..1 or 1-5,
    optional); next_roles: role names separated by ";". A skill name that is already known
    (from O*NET or ESCO) is the same skill.
    """
    started = time.perf_counter()
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CareerDataError(f"cannot read {path}: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "role" not in columns:
        raise CareerDataError(f"{path.name} needs a 'role' column (and level, skills, next_roles)")
    report = ImportReport(source="org")
    known = {k: i for i, k in db.execute(select(Skill.id, Skill.key))}
    occupations, titles, skills, needs, nexts = {}, [], {}, {}, {}
    for n, raw in enumerate(reader, start=2):
        if None in raw:
            report.skipped.append((f"line {n}", "more values than columns (put a value that "
                                   "holds a comma in double quotes)"))
            continue
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        name = row.get("role", "")
        if not name:
            report.skipped.append((f"line {n}", "no role"))
            continue
        oid = "org:" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:180]
        level = row.get("level", "")
        occupations[oid] = {"id": oid, "source": "org", "title": name[:300],
                            "description": row.get("description", ""),
                            "job_zone": int(level) if level.isdecimal() else None}
        titles.append((oid, name[:300], "org"))
        for part in filter(None, (p.strip() for p in row.get("skills", "").split(";"))):
            bits = [b.strip() for b in part.split(":")]
            skill_key = bits[0].lower()
            sid = known.get(skill_key) or "org:skill:" + re.sub(r"[^a-z0-9+#.]+", "-",
                                                                skill_key).strip("-")[:180]
            if sid.startswith("org:"):
                skills.setdefault(sid, skill_row(sid, bits[0], "skill"))
            needs[(oid, sid)] = {**need_row(oid, sid), "importance": _scaled(bits, 1),
                                 "level": _scaled(bits, 2)}
        nexts[oid] = [p.strip() for p in row.get("next_roles", "").split(";") if p.strip()]
    by_title = {o["title"].lower(): i for i, o in occupations.items()}
    related = []
    for oid, names in nexts.items():
        for rank, name in enumerate(names, start=1):
            target = by_title.get(name.lower())
            if target is None:
                report.skipped.append((occupations[oid]["title"], f"next role {name!r} is not "
                                       "a role in the file"))
            elif target != oid:
                related.append({"occupation_id": oid, "related_id": target, "rank": rank,
                                "tier": "org"})
    replace_source(db, "org", occupations, titles, skills, list(needs.values()), related)
    report.occupations, report.titles, report.skills = len(occupations), len(titles), len(skills)
    report.requirements, report.related = len(needs), len(related)
    report.seconds = time.perf_counter() - started
    return report


def _scaled(bits: list[str], i: int) -> float:
    """A 0..1 value from '0.8' or '4' (on 1-5); 0.5 when absent."""
    if len(bits) <= i or not bits[i]:
        return 0.5
    value = number(bits[i], 0.5)
    return round(min(1.0, max(0.0, value if value <= 1 else (value - 1) / 4)), 3)
