"""Career data importers: O*NET text files, ESCO CSV and JSON, an organisation's own roles (CSV).

Each import replaces what the same source imported before (occupations and skills are updated in
place, so people's ratings and target roles keep pointing at them) and returns an ImportReport.
Credits: O*NET data is by the U.S. Department of Labor, Employment and Training Administration
(USDOL/ETA), used under CC BY 4.0; ESCO is the European Commission's classification.
"""

import csv
import io
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from server.career.titles import key
from server.storage.models import (
    Occupation,
    OccupationSkill,
    OccupationTitle,
    RelatedOccupation,
    Skill,
)

ONET_FILES = ("Occupation Data.txt", "Skills.txt", "Knowledge.txt", "Technology Skills.txt",
              "Alternate Titles.txt", "Sample of Reported Titles.txt", "Related Occupations.txt",
              "Job Zones.txt")
ONET_REQUIRED = ("Occupation Data.txt",)
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
    missing: list[str] = field(default_factory=list)  # optional files not found
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    borrowed: int = 0  # occupations whose skill ratings come from their closest relative
    seconds: float = 0.0

    def summary(self) -> str:
        text = (f"{self.source}: {self.occupations:,} occupations, {self.titles:,} titles, "
                f"{self.skills:,} skills, {self.requirements:,} skill requirements, "
                f"{self.related:,} related-occupation links; {self.seconds:.1f}s")
        if self.borrowed:
            text += (f"\n  {self.borrowed} occupations have no skill or knowledge ratings of "
                     "their own: they take those of their closest related occupation")
        if self.missing:
            text += f"\n  not found (skipped): {', '.join(self.missing)}"
        return text


def _tsv(path: Path) -> list[dict]:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise CareerDataError(f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MB")
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    rows = list(csv.DictReader(io.StringIO(text), delimiter="\t"))
    if rows and "O*NET-SOC Code" not in rows[0]:
        raise CareerDataError(f"{path.name} has no 'O*NET-SOC Code' column: is it an O*NET "
                           "text file?")
    return rows


def _float(value: str, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def import_onet(db: Session, directory: str | Path) -> ImportReport:
    """O*NET's text release: occupations, titles, skills/knowledge/technology, related roles."""
    started = time.perf_counter()
    root = Path(directory)
    if not root.is_dir():
        raise CareerDataError(f"{root} is not a directory")
    report = ImportReport(source="onet")
    present = {name: root / name for name in ONET_FILES if (root / name).is_file()}
    for name in ONET_REQUIRED:
        if name not in present:
            raise CareerDataError(f"{root} has no '{name}': point at the folder of O*NET's text "
                               "files (db_29_3_text or similar)")
    report.missing = [n for n in ONET_FILES if n not in present]

    occupations = {}
    for row in _tsv(present["Occupation Data.txt"]):
        code = row["O*NET-SOC Code"].strip()
        occupations[f"onet:{code}"] = {"id": f"onet:{code}", "source": "onet",
                                       "title": row["Title"].strip()[:300],
                                       "description": row.get("Description", "").strip(),
                                       "job_zone": None}
    if "Job Zones.txt" in present:
        for row in _tsv(present["Job Zones.txt"]):
            occ = occupations.get(f"onet:{row['O*NET-SOC Code'].strip()}")
            if occ is not None and row.get("Job Zone", "").strip().isdigit():
                occ["job_zone"] = int(row["Job Zone"])

    titles = [(oid, o["title"], "title") for oid, o in occupations.items()]
    for name, column, kind in (("Alternate Titles.txt", "Alternate Title", "alternate"),
                               ("Alternate Titles.txt", "Short Title", "short"),
                               ("Sample of Reported Titles.txt", "Reported Job Title",
                                "reported")):
        if name in present:
            for row in _tsv(present[name]):
                oid = f"onet:{row['O*NET-SOC Code'].strip()}"
                value = (row.get(column) or "").strip()
                if value and oid in occupations:
                    titles.append((oid, value[:300], kind))

    skills: dict[str, dict] = {}
    needs: dict[tuple[str, str], dict] = {}
    for name, kind in (("Skills.txt", "skill"), ("Knowledge.txt", "knowledge")):
        if name not in present:
            continue
        for row in _tsv(present[name]):
            oid = f"onet:{row['O*NET-SOC Code'].strip()}"
            if oid not in occupations or row.get("Recommend Suppress", "").strip() == "Y":
                continue
            sid = f"onet:{row['Element ID'].strip()}"
            skills.setdefault(sid, _skill(sid, row["Element Name"], kind))
            need = needs.setdefault((oid, sid), _need(oid, sid))
            value = _float(row.get("Data Value"))
            if row.get("Scale ID") == "IM":  # importance 1-5
                need["importance"] = round(max(0.0, (value - 1) / 4), 3)
            elif row.get("Scale ID") == "LV":  # level 0-7
                need["level"] = 0.0 if row.get("Not Relevant", "").strip() == "Y" \
                    else round(min(1.0, value / 7), 3)
    if "Technology Skills.txt" in present:
        for row in _tsv(present["Technology Skills.txt"]):
            oid = f"onet:{row['O*NET-SOC Code'].strip()}"
            example = (row.get("Example") or "").strip()
            if oid not in occupations or not example:
                continue
            sid = "onet:tech:" + re.sub(r"[^a-z0-9+#.]+", "-", example.lower()).strip("-")[:180]
            skill = skills.setdefault(sid, _skill(sid, example, "technology"))
            hot, demand = row.get("Hot Technology") == "Y", row.get("In Demand") == "Y"
            skill["hot"] = skill["hot"] or hot
            skill["in_demand"] = skill["in_demand"] or demand
            skill["description"] = skill["description"] or row.get("Commodity Title", "")
            need = needs.setdefault((oid, sid), _need(oid, sid))
            # O*NET rates no importance for technologies: below the core skills of the job (the
            # median rated skill is ~0.5), more if in demand for it
            need["importance"] = 0.55 if demand else 0.45 if hot else 0.35
            need["in_demand"] = demand

    related = []
    if "Related Occupations.txt" in present:
        for row in _tsv(present["Related Occupations.txt"]):
            a = f"onet:{row['O*NET-SOC Code'].strip()}"
            b = f"onet:{row['Related O*NET-SOC Code'].strip()}"
            if a in occupations and b in occupations and a != b:
                related.append({"occupation_id": a, "related_id": b,
                                "rank": int(_float(row.get("Index"), 99)),
                                "tier": (row.get("Relatedness Tier") or "")[:30]})

    report.borrowed = _borrow_ratings(occupations, needs, skills, related)
    _replace(db, "onet", occupations, titles, skills, list(needs.values()), related)
    report.occupations, report.titles, report.skills = len(occupations), len(titles), len(skills)
    report.requirements, report.related = len(needs), len(related)
    report.seconds = time.perf_counter() - started
    return report


def _borrow_ratings(occupations: dict, needs: dict, skills: dict, related: list[dict]) -> int:
    """Occupations O*NET has not rated (Software Developers, in 29.3) take the skill and
    knowledge ratings of their closest related occupation that has them."""
    rated = defaultdict(list)
    for (oid, sid), need in needs.items():
        if skills[sid]["kind"] != "technology":
            rated[oid].append(need)
    nearest = defaultdict(list)
    for link in sorted(related, key=lambda r: r["rank"]):
        nearest[link["occupation_id"]].append(link["related_id"])
    borrowed = 0
    for oid in occupations:
        if rated.get(oid):
            continue
        donor = next((r for r in nearest.get(oid, []) if rated.get(r)), None)
        if donor is None:
            continue
        for need in rated[donor]:
            needs.setdefault((oid, need["skill_id"]), {**need, "occupation_id": oid})
        borrowed += 1
    return borrowed


def _skill(sid: str, name: str, kind: str, description: str = "") -> dict:
    name = " ".join(name.split())[:300]
    return {"id": sid, "source": sid.split(":", 1)[0], "name": name, "key": name.lower(),
            "kind": kind, "description": description, "hot": False, "in_demand": False}


def _need(oid: str, sid: str) -> dict:
    return {"occupation_id": oid, "skill_id": sid, "importance": 0.5, "level": 0.5,
            "in_demand": False}


def _replace(db: Session, source: str, occupations: dict[str, dict],
             titles: list[tuple[str, str, str]], skills: dict[str, dict], needs: list[dict],
             related: list[dict]) -> None:
    """One transaction: update what exists, insert what is new, drop what the source dropped."""
    prefix = f"{source}:"
    old_occ = set(db.scalars(select(Occupation.id).where(Occupation.source == source)))
    old_skills = set(db.scalars(select(Skill.id).where(Skill.source == source)))
    mine = Occupation.id.like(f"{prefix}%")
    db.execute(delete(OccupationTitle).where(OccupationTitle.occupation_id.like(f"{prefix}%")))
    db.execute(delete(OccupationSkill).where(OccupationSkill.occupation_id.like(f"{prefix}%")))
    db.execute(delete(RelatedOccupation).where(
        RelatedOccupation.occupation_id.like(f"{prefix}%")))
    _upsert(db, Occupation, occupations, old_occ)
    _upsert(db, Skill, skills, old_skills)
    gone = old_occ - set(occupations)
    if gone:
        db.execute(delete(Occupation).where(mine, Occupation.id.in_(gone)))
    _bulk(db, OccupationTitle, [{"occupation_id": o, "title": t, "key": key(t)[:300],
                                 "kind": k} for o, t, k in titles])
    _bulk(db, OccupationSkill, needs)
    _bulk(db, RelatedOccupation, related)
    db.commit()


def _upsert(db: Session, model, rows: dict[str, dict], existing: set[str]) -> None:
    new = [r for i, r in rows.items() if i not in existing]
    _bulk(db, model, new)
    for i in existing & set(rows):  # updates keep columns the import does not set (flagged)
        db.execute(update(model).where(model.id == i).values(**rows[i]))


def _bulk(db: Session, model, rows: list[dict], chunk: int = 5000) -> None:
    for start in range(0, len(rows), chunk):
        db.execute(insert(model), rows[start:start + chunk])


# --- ESCO ------------------------------------------------------------------------------------

def import_esco(db: Session, *directories: str | Path) -> ImportReport:
    """ESCO from one or more folders: occupations (ESCO's own CSV download, occupations_en.csv
    with conceptUri/preferredLabel/altLabels/description, or Tabiya's re-export with
    ORIGINURI/PREFERREDLABEL/...), skills (skills_en.csv) and what each occupation needs
    (occupationSkillRelations_en.csv: essential or optional), or a JSON export of occupations
    with their skill labels."""
    started = time.perf_counter()
    roots = [Path(d) for d in directories]
    for root in roots:
        if not root.is_dir():
            raise CareerDataError(f"{root} is not a directory")
    report = ImportReport(source="esco")
    files = sorted({p for root in roots for p in root.rglob("*") if p.is_file()})
    occupations, titles, skills, by_uri, needs = {}, [], {}, {}, {}
    for path in (p for p in files if p.name.lower().startswith("occupations")
                 and p.suffix == ".csv"):
        for row in _csv_rows(path, report, ("uri", "label")):
            oid = "esco:" + row["uri"].rsplit("/", 1)[-1]
            occupations[oid] = {"id": oid, "source": "esco", "title": row["label"][:300],
                                "description": row.get("description", ""), "job_zone": None}
            titles.append((oid, row["label"][:300], "title"))
            for alt in row.get("alt", "").splitlines():
                if alt.strip() and alt.strip() != row["label"]:
                    titles.append((oid, alt.strip()[:300], "alternate"))
    if not occupations:
        raise CareerDataError(f"no ESCO occupations CSV under {', '.join(map(str, roots))}: "
                              "point at ESCO's CSV download (occupations_en.csv)")
    for path in (p for p in files if p.name.lower().startswith("skills")
                 and p.suffix == ".csv"):
        for row in _csv_rows(path, report, ("uri", "label")):
            skill = _esco_skill(skills, row["label"])
            skill["description"] = row.get("description", "")
            if "knowledge" in row.get("type", "").lower():
                skill["kind"] = "knowledge"
            by_uri[row["uri"]] = skill["id"]
    for path in (p for p in files if p.name.lower().startswith("occupationskillrelations")):
        for row in _csv_rows(path, report, ("occupation", "skill_uri")):
            oid = "esco:" + row["occupation"].rsplit("/", 1)[-1]
            sid = by_uri.get(row["skill_uri"])
            if oid in occupations and sid:
                essential = row.get("relation", "").lower() == "essential"
                needs[(oid, sid)] = {**_need(oid, sid), "importance": 0.8 if essential else 0.4}
    for path in (p for p in files if p.suffix == ".json" and "skill" in p.name.lower()):
        _esco_json(path, report, occupations, skills, needs)
    if not needs:
        report.missing.append("what each occupation needs (occupationSkillRelations CSV or an "
                              "occupations-with-skills JSON)")
    _replace(db, "esco", occupations, titles, skills, list(needs.values()), [])
    report.occupations, report.titles, report.skills = len(occupations), len(titles), len(skills)
    report.requirements = len(needs)
    report.seconds = time.perf_counter() - started
    return report


ESCO_COLUMNS = {  # our name -> the column names ESCO's download and Tabiya's re-export use
    "uri": ("concepturi", "originuri"), "label": ("preferredlabel",),
    "alt": ("altlabels",), "description": ("description",), "type": ("skilltype",),
    "occupation": ("occupationuri",), "skill_uri": ("skilluri",),
    "relation": ("relationtype",),
}


def _csv_rows(path: Path, report: ImportReport, needed: tuple[str, ...]):
    """Rows of an ESCO CSV under our column names; a file without them is reported, skipped."""
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower(): c for c in reader.fieldnames or []}
    names = {ours: next((columns[c] for c in theirs if c in columns), None)
             for ours, theirs in ESCO_COLUMNS.items()}
    if any(names[n] is None for n in needed):
        report.skipped.append((path.name, "not an ESCO file with "
                               + " and ".join(ESCO_COLUMNS[n][0] for n in needed)
                               + " columns"))
        return
    for raw in reader:
        row = {ours: (raw.get(col) or "").strip() for ours, col in names.items() if col}
        if all(row.get(n) for n in needed):
            yield row


def _esco_skill(skills: dict, label: str) -> dict:
    sid = "esco:skill:" + re.sub(r"[^a-z0-9+#.]+", "-", label.lower()).strip("-")[:180]
    return skills.setdefault(sid, _skill(sid, label, "skill"))


def _esco_json(path: Path, report: ImportReport, occupations: dict, skills: dict,
               needs: dict) -> None:
    """A JSON export: skills with labels and descriptions, occupations with skill labels."""
    try:
        data = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        report.skipped.append((path.name, f"not JSON ({exc})"))
        return
    for item in data if isinstance(data, list) else []:
        if not isinstance(item, dict):
            continue
        if "skillType" in item and item.get("label"):  # a skill with its description
            skill = _esco_skill(skills, str(item["label"]))
            skill["description"] = str(item.get("description") or "")
            if item.get("skillType") == "knowledge":
                skill["kind"] = "knowledge"
        elif item.get("uri") and isinstance(item.get("skill"), list):  # an occupation
            oid = "esco:" + str(item["uri"]).rsplit("/", 1)[-1]
            if oid not in occupations:
                continue
            for n, label in enumerate(item["skill"]):
                if isinstance(label, str) and label.strip():
                    sid = _esco_skill(skills, label)["id"]
                    # listed without weights; the essential ones come first
                    needs[(oid, sid)] = {**_need(oid, sid),
                                         "importance": round(max(0.3, 0.8 - n * 0.01), 3)}


# --- the organisation's own job architecture -----------------------------------------------

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
                            "job_zone": int(level) if level.isdigit() else None}
        titles.append((oid, name[:300], "org"))
        for part in filter(None, (p.strip() for p in row.get("skills", "").split(";"))):
            bits = [b.strip() for b in part.split(":")]
            skill_key = bits[0].lower()
            sid = known.get(skill_key) or "org:skill:" + re.sub(r"[^a-z0-9+#.]+", "-",
                                                                skill_key).strip("-")[:180]
            if sid.startswith("org:"):
                skills.setdefault(sid, _skill(sid, bits[0], "skill"))
            needs[(oid, sid)] = {**_need(oid, sid), "importance": _scaled(bits, 1),
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
    _replace(db, "org", occupations, titles, skills, list(needs.values()), related)
    report.occupations, report.titles, report.skills = len(occupations), len(titles), len(skills)
    report.requirements, report.related = len(needs), len(related)
    report.seconds = time.perf_counter() - started
    return report


def _scaled(bits: list[str], i: int) -> float:
    """A 0..1 value from '0.8' or '4' (on 1-5); 0.5 when absent."""
    if len(bits) <= i or not bits[i]:
        return 0.5
    value = _float(bits[i], 0.5)
    return round(min(1.0, max(0.0, value if value <= 1 else (value - 1) / 4)), 3)


def counts(db: Session) -> dict[str, int]:
    """Occupations per source, for status lines."""
    out: dict[str, int] = defaultdict(int)
    for source in db.scalars(select(Occupation.source)):
        out[source] += 1
    return dict(out)
