"""O*NET's text files (the database release's tab-separated files)."""

import csv
import io
import re
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy.orm import Session

from server.career.imports.common import (
    MAX_FILE_BYTES,
    CareerDataError,
    ImportReport,
    link_same,
    need_row,
    replace_source,
    skill_row,
)

ONET_FILES = ("Occupation Data.txt", "Skills.txt", "Knowledge.txt", "Technology Skills.txt",
              "Alternate Titles.txt", "Sample of Reported Titles.txt", "Related Occupations.txt",
              "Job Zones.txt", "Content Model Reference.txt", "Task Statements.txt")
ONET_REQUIRED = ("Occupation Data.txt",)


def tsv_rows(path: Path, code: bool = True) -> list[dict]:
    """A tab-separated O*NET file's rows; code: the file is per occupation (has its code)."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise CareerDataError(f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MB")
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    rows = list(csv.DictReader(io.StringIO(text), delimiter="\t"))
    if rows and "Element ID" not in rows[0] and not code:
        raise CareerDataError(f"{path.name} has no 'Element ID' column: is it an O*NET text "
                              "file?")
    if code and rows and "O*NET-SOC Code" not in rows[0]:
        raise CareerDataError(f"{path.name} has no 'O*NET-SOC Code' column: is it an O*NET "
                           "text file?")
    return rows


def number(value: str, default: float = 0.0) -> float:
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
    for row in tsv_rows(present["Occupation Data.txt"]):
        code = row["O*NET-SOC Code"].strip()
        occupations[f"onet:{code}"] = {"id": f"onet:{code}", "source": "onet",
                                       "title": row["Title"].strip()[:300],
                                       "description": row.get("Description", "").strip(),
                                       "job_zone": None}
    if "Job Zones.txt" in present:
        for row in tsv_rows(present["Job Zones.txt"]):
            occ = occupations.get(f"onet:{row['O*NET-SOC Code'].strip()}")
            if occ is not None and row.get("Job Zone", "").strip().isdecimal():
                occ["job_zone"] = int(row["Job Zone"])

    titles = [(oid, o["title"], "title") for oid, o in occupations.items()]
    for name, column, kind in (("Alternate Titles.txt", "Alternate Title", "alternate"),
                               ("Alternate Titles.txt", "Short Title", "short"),
                               ("Sample of Reported Titles.txt", "Reported Job Title",
                                "reported")):
        if name in present:
            for row in tsv_rows(present[name]):
                oid = f"onet:{row['O*NET-SOC Code'].strip()}"
                value = (row.get(column) or "").strip()
                if value and oid in occupations:
                    titles.append((oid, value[:300], kind))

    skills: dict[str, dict] = {}
    needs: dict[tuple[str, str], dict] = {}
    described = {}  # what each skill and knowledge area means: what content teaching it says
    if "Content Model Reference.txt" in present:
        for row in tsv_rows(present["Content Model Reference.txt"], code=False):
            described[f"onet:{row.get('Element ID', '').strip()}"] = \
                " ".join(row.get("Description", "").split())[:1000]
    for name, kind in (("Skills.txt", "skill"), ("Knowledge.txt", "knowledge")):
        if name not in present:
            continue
        for row in tsv_rows(present[name]):
            oid = f"onet:{row['O*NET-SOC Code'].strip()}"
            if oid not in occupations or row.get("Recommend Suppress", "").strip() == "Y":
                continue
            sid = f"onet:{row['Element ID'].strip()}"
            skills.setdefault(sid, skill_row(sid, row["Element Name"], kind,
                                             described.get(sid, "")))
            need = needs.setdefault((oid, sid), need_row(oid, sid))
            value = number(row.get("Data Value"))
            if row.get("Scale ID") == "IM":  # importance 1-5
                need["importance"] = round(max(0.0, (value - 1) / 4), 3)
            elif row.get("Scale ID") == "LV":  # level 0-7
                need["level"] = 0.0 if row.get("Not Relevant", "").strip() == "Y" \
                    else round(min(1.0, value / 7), 3)
    if "Technology Skills.txt" in present:
        for row in tsv_rows(present["Technology Skills.txt"]):
            oid = f"onet:{row['O*NET-SOC Code'].strip()}"
            example = (row.get("Example") or "").strip()
            if oid not in occupations or not example:
                continue
            sid = "onet:tech:" + re.sub(r"[^a-z0-9+#.]+", "-", example.lower()).strip("-")[:180]
            skill = skills.setdefault(sid, skill_row(sid, example, "technology"))
            hot, demand = row.get("Hot Technology") == "Y", row.get("In Demand") == "Y"
            skill["hot"] = skill["hot"] or hot
            skill["in_demand"] = skill["in_demand"] or demand
            skill["description"] = skill["description"] or row.get("Commodity Title", "")
            need = needs.setdefault((oid, sid), need_row(oid, sid))
            # O*NET rates no importance for technologies: below the core skills of the job (the
            # median rated skill is ~0.5), more if in demand for it
            need["importance"] = 0.55 if demand else 0.45 if hot else 0.35
            need["in_demand"] = demand

    related = []
    if "Related Occupations.txt" in present:
        for row in tsv_rows(present["Related Occupations.txt"]):
            a = f"onet:{row['O*NET-SOC Code'].strip()}"
            b = f"onet:{row['Related O*NET-SOC Code'].strip()}"
            if a in occupations and b in occupations and a != b:
                related.append({"occupation_id": a, "related_id": b,
                                "rank": int(number(row.get("Index"), 99)),
                                "tier": (row.get("Relatedness Tier") or "")[:30]})

    tasks = []
    if "Task Statements.txt" in present:
        for row in tsv_rows(present["Task Statements.txt"]):
            oid = f"onet:{row['O*NET-SOC Code'].strip()}"
            text = " ".join((row.get("Task") or "").split())[:1000]
            if oid in occupations and text:
                tasks.append({"occupation_id": oid, "position": len(tasks), "text": text,
                              "core": (row.get("Task Type") or "").strip() != "Supplemental"})

    report.borrowed = _borrow_ratings(occupations, needs, skills, related)
    replace_source(db, "onet", occupations, titles, skills, list(needs.values()), related,
                   tasks)
    report.same = link_same(db)
    report.occupations, report.titles, report.skills = len(occupations), len(titles), len(skills)
    report.requirements, report.related, report.tasks = len(needs), len(related), len(tasks)
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
