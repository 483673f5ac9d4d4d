"""ESCO, as the European Commission's CSV download or as JSON (Tabiya's re-export)."""

import csv
import io
import json
import re
import time
from pathlib import Path

from sqlalchemy.orm import Session

from server.career.imports.common import (
    CareerDataError,
    ImportReport,
    link_same,
    need_row,
    replace_source,
    skill_row,
)


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
        for row in csv_rows(path, report, ("uri", "label")):
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
        for row in csv_rows(path, report, ("uri", "label")):
            skill = _esco_skill(skills, row["label"])
            skill["description"] = row.get("description", "")
            if "knowledge" in row.get("type", "").lower():
                skill["kind"] = "knowledge"
            by_uri[row["uri"]] = skill["id"]
    for path in (p for p in files if p.name.lower().startswith("occupationskillrelations")):
        for row in csv_rows(path, report, ("occupation", "skill_uri")):
            oid = "esco:" + row["occupation"].rsplit("/", 1)[-1]
            sid = by_uri.get(row["skill_uri"])
            if oid in occupations and sid:
                essential = row.get("relation", "").lower() == "essential"
                needs[(oid, sid)] = {**need_row(oid, sid), "importance": 0.8 if essential else 0.4}
    for path in (p for p in files if p.suffix == ".json" and "skill" in p.name.lower()):
        _esco_json(path, report, occupations, skills, needs)
    if not needs:
        report.missing.append("what each occupation needs (occupationSkillRelations CSV or an "
                              "occupations-with-skills JSON)")
    replace_source(db, "esco", occupations, titles, skills, list(needs.values()), [])
    report.same = link_same(db)
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


def csv_rows(path: Path, report: ImportReport, needed: tuple[str, ...]):
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
    return skills.setdefault(sid, skill_row(sid, label, "skill"))


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
                    needs[(oid, sid)] = {**need_row(oid, sid),
                                         "importance": round(max(0.3, 0.8 - n * 0.01), 3)}
