"""Course and resource catalogs: CSV, JSON Lines and JSON, one document per row.

Columns are found by name (title, description, url, topics or keywords, duration, level,
language, provider), ignoring case, punctuation and export prefixes ("CR_TITLE" is a title), or
given explicitly with a mapping. Ids are SOURCE:<file>#<row key>.
"""

import csv
import io
import json
import re

from ..documents import Document, UnreadableFile
from .meta import first_paragraph, minutes

FIELDS = {  # target -> column names that mean it, best first
    "key": ["id", "key", "code", "course_number", "coursenumber", "sku", "url", "link"],
    "title": ["title", "name", "course_title", "course_name", "resource_title"],
    "description": ["description", "abstract", "summary", "overview", "synopsis"],
    "url": ["url", "link", "href", "permalink", "course_url"],
    "topics": ["topics", "keywords", "subjects", "subject", "tags", "categories", "skills"],
    "duration": ["duration", "length", "hours", "minutes", "time_required"],
    "level": ["level", "courselevel", "difficulty", "educational_level"],
    "language": ["language", "lang", "in_language"],
    "provider": ["provider", "publisher", "author", "author_name", "instructors", "organization"],
}
MAX_ROWS = 100_000


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def mapping(columns: list[str], explicit: dict[str, str] | None = None) -> dict[str, list[str]]:
    """target -> the columns that hold it. Exact names win; then names ending in the synonym."""
    found: dict[str, list[str]] = {}
    normal = {c: normalise(c) for c in columns}
    for target, names in FIELDS.items():
        if explicit and target in explicit:
            found[target] = [explicit[target]]
            continue
        exact = [c for n in names for c, norm in normal.items() if norm == n]
        ends = sorted((c for c, norm in normal.items()
                       if any(norm.endswith("_" + n) for n in names)), key=len)
        matches = exact or ends
        if matches:
            found[target] = matches if target == "topics" else matches[:1]
    if "title" not in found:
        raise UnreadableFile("no title column (looked for: " + ", ".join(FIELDS["title"]) + ")")
    return found


def rows_to_documents(rows: list[dict], explicit: dict[str, str] | None = None) -> list[Document]:
    if not rows:
        return []
    # a row with more cells than the header puts the rest under the key None: not a column
    columns = list({k for row in rows[:50] for k in row if isinstance(k, str)})
    cols = mapping(columns, explicit)
    docs, seen = [], set()
    for n, row in enumerate(rows[:MAX_ROWS], 1):
        def value(target: str, row: dict = row) -> str:
            return _text(row.get(cols[target][0])) if target in cols else ""

        title = value("title")
        if not title:
            continue
        key = re.sub(r"[^\w.\-/:]+", "-", value("key") or str(n)).strip("-")[:200] or str(n)
        if key in seen:
            key = f"{key}-{n}"
        seen.add(key)
        topics = [t for c in cols.get("topics", []) for t in _items(row.get(c))]
        description = value("description")
        docs.append(Document(
            id=f"#{key}", source="", title=title[:300], body=description,
            summary=first_paragraph(description) if description else "", url=value("url"),
            type="course", tags=list(dict.fromkeys(t.lower() for t in topics))[:30],
            level=value("level").lower()[:20], language=(value("language") or "en")[:8].lower(),
            duration=minutes(value("duration")), provider=value("provider")[:200]))
    return docs


def csv_rows(text: str) -> list[dict]:
    sample = text[:20_000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.DictReader(io.StringIO(text), dialect=dialect))
    except csv.Error as exc:
        raise UnreadableFile(f"not a readable CSV ({exc})") from exc


def json_rows(text: str, lines: bool) -> list[dict]:
    try:
        if lines:
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    except RecursionError as exc:
        raise UnreadableFile("JSON nested too deeply to be a catalog") from exc
    if isinstance(data, dict):  # one course per file, or {"courses": [...]}
        lists = [v for v in data.values() if isinstance(v, list) and v and
                 all(isinstance(x, dict) for x in v)]
        data = lists[0] if lists and not any(k in data for k in ("title", "name")) else [data]
    return [row for row in data if isinstance(row, dict)] if isinstance(data, list) else []


def _text(value) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value if v)
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("title") or "")
    return " ".join(str(value).split()) if value is not None else ""


def _items(value) -> list[str]:
    if isinstance(value, list):
        return [t for v in value for t in _items(v)]
    if isinstance(value, dict):
        return _items(value.get("name") or value.get("title"))
    return [t.strip() for t in re.split(r"[;,|]", str(value or "")) if t.strip()]
