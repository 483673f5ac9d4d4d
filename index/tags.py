"""What L&D may set on a document over what its source and the auto-tagger said.

An override is a dict of some EDITABLE fields with their values as JSON keeps them (topics as
{id: weight}, dates as "YYYY-MM-DD"). It is applied after tagging, at every ingest and sync, so
manual tags survive re-syncs; the values it replaced are kept with the document (Document.original)
so removing an override brings the source's value back without re-reading the source.
"""

from datetime import datetime

from .documents import Document

EDITABLE = ("topics", "skills", "tags", "audience", "type", "level", "duration", "language",
            "mandatory", "owner", "review_by")
LIST_FIELDS = ("skills", "tags", "audience")
LEVELS = ("beginner", "intermediate", "advanced")


def snapshot(doc: Document) -> dict:
    """The editable fields as the source and the tagger gave them, in JSON-ready form."""
    values = {name: getattr(doc, name) for name in EDITABLE}
    values["review_by"] = _date_text(doc.review_by)
    values["topics"] = dict(doc.topics)
    return values


def apply_overrides(doc: Document, override: dict | None) -> None:
    """Set the overridden fields on doc; the first call remembers what they were."""
    if doc.original is None:
        doc.original = snapshot(doc)
    for name, value in (override or {}).items():
        if name not in EDITABLE:
            continue  # a field an older version allowed; ignored rather than failing ingest
        if name == "review_by":
            value = _parse_date(value)
        elif name == "topics":
            value = {str(k): float(v) for k, v in dict(value).items()}
        elif name in LIST_FIELDS:
            value = [str(v) for v in value]
        setattr(doc, name, value)


def restore(doc: Document, original: dict) -> None:
    """Put the source's values (as snapshot() kept them) back on a rebuilt document."""
    for name in EDITABLE:
        if name in original:
            value = original[name]
            setattr(doc, name, _parse_date(value) if name == "review_by" else value)
    doc.original = dict(original)


def _date_text(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d") if value else None


def _parse_date(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.strptime(str(value)[:10], "%Y-%m-%d")
