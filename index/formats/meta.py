"""Metadata shared by every format: front matter, catalog columns, feed fields -> Document."""

import re
from datetime import UTC, date, datetime

from ..documents import Document

TEMPLATE = re.compile(r"<%.*?%>|\{\{.*?\}\}|\{%.*?%\}", re.S)
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
HTML_TAG = re.compile(r"<[^>]+>")
SUMMARY_CHARS = 300


def apply_meta(doc: Document, meta: dict) -> None:
    doc.summary = (meta_str(meta, "description", "summary", "deck", "excerpt") or "")[:1000]
    doc.url = meta_str(meta, "url", "permalink", "canonical_url") or ""
    doc.type = (meta_str(meta, "type", "content_type") or "").lower()
    doc.tags = meta_list(meta, "tags", "keywords", "categories", "topics")
    doc.skills = meta_list(meta, "skills")
    doc.audience = meta_list(meta, "audience", "roles", "departments")
    doc.mandatory = str(meta.get("mandatory", "")).lower() in ("true", "yes", "1")
    doc.language = (meta_str(meta, "language", "lang") or "en")[:8].lower()
    doc.level = (meta_str(meta, "level") or "").lower()[:20]
    doc.duration = minutes(meta.get("duration"))
    doc.updated = when(meta.get("updated") or meta.get("last_reviewed_on") or meta.get("date"))
    doc.owner = meta_str(meta, "owner", "maintainer")[:200]
    doc.review_by = when(meta.get("review_by") or meta.get("review-by") or meta.get("review_date"))


def meta_str(meta: dict, *keys: str) -> str:
    for key in keys:
        value = meta.get(key)
        if isinstance(value, (str, int, float)) and str(value).strip():
            return clean_inline(str(value))
    return ""


def meta_list(meta: dict, *keys: str) -> list[str]:
    out: list[str] = []
    for key in keys:
        value = meta.get(key)
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list):
            out += [str(v).strip().lower() for v in value if isinstance(v, (str, int))]
    return [v for v in dict.fromkeys(out) if v][:30]


def minutes(value) -> int:
    """"90", 90, "1h 30m", "45 minutes", "2 hours" -> minutes."""
    if isinstance(value, (int, float)) and value >= 0:
        return int(value)
    if not isinstance(value, str):
        return 0
    hours = re.search(r"(\d+(?:\.\d+)?)\s*h", value)
    mins = re.search(r"(\d+)\s*m", value)
    if hours or mins:
        return int(float(hours.group(1)) * 60 if hours else 0) + int(mins.group(1) if mins else 0)
    return int(value) if value.strip().isdecimal() else 0


def when(value) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        try:
            return when(datetime.fromisoformat(value.strip()[:10]))
        except ValueError:
            return None
    return None


def clean_inline(text: str, keep_lines: bool = False) -> str:
    text = TEMPLATE.sub(" ", text)
    text = LINK.sub(r"\1", text)
    text = HTML_TAG.sub(" ", text)
    text = re.sub(r"[*_`>|]+", " ", text)
    if keep_lines:
        return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    return " ".join(text.split())




def first_paragraph(body: str) -> str:
    for line in body.splitlines():
        line = line.strip(" -#")
        if len(line) > 40:
            if len(line) <= SUMMARY_CHARS:
                return line
            return line[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
    return body[:SUMMARY_CHARS]
