"""What L&D may set on a document over what its source and the auto-tagger said.

An override is a dict of some EDITABLE fields with their values as JSON keeps them (topics as
{id: weight}, dates as "YYYY-MM-DD"), and maybe REJECTED: the tagger's proposals L&D turned
down. It is applied after tagging, at every ingest and sync, so manual tags and rejections
survive re-syncs; the values it replaced are kept with the document (Document.original) so
removing an override brings the source's value back without re-reading the source.

The tagger's proposals are applied as the document's topics unless rejected or under the
library's floor (ContentIndex.tag_floor): those stay proposals, shown to L&D with their
confidence, until someone accepts them.
"""

from datetime import datetime

from .documents import Document

EDITABLE = ("topics", "skills", "tags", "audience", "type", "level", "duration", "language",
            "mandatory", "owner", "review_by")
LIST_FIELDS = ("skills", "tags", "audience")
LEVELS = ("beginner", "intermediate", "advanced")
REJECTED = "rejected"  # topic ids of proposals L&D rejected: never applied, whatever the tagger


def snapshot(doc: Document) -> dict:
    """The editable fields as the source and the tagger gave them, in JSON-ready form."""
    values = {name: getattr(doc, name) for name in EDITABLE}
    values["review_by"] = _date_text(doc.review_by)
    values["topics"] = dict(doc.topics)
    return values


def apply_overrides(doc: Document, override: dict | None, floor: float = 0.0) -> None:
    """Set the overridden fields on doc; the first call remembers what they were. Without
    manual topics, the tagger's proposals apply but those rejected and those under floor."""
    if doc.original is None:
        doc.original = snapshot(doc)
    rejected = set((override or {}).get(REJECTED) or ())
    if floor > 0 or rejected:
        doc.topics = {t: w for t, w in doc.original["topics"].items()
                      if w >= floor and t not in rejected}
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
