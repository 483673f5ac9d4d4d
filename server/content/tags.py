"""Manual tagging by L&D: check a change, keep it in the database, re-index what it touches.

A change names fields of index.EDITABLE. A scalar field takes a value; a list field (topics,
skills, tags, audience) takes a list that replaces it, or {"add": [...], "remove": [...]} applied
to what the document has now (so accepting a proposed topic is {"topics": {"add": ["x"]}}); null
removes L&D's value and brings back the source's and the auto-tagger's. "rejected" lists the
tagger's proposals L&D turned down ({"rejected": {"add": ["x"]}}): they stay off the document at
every sync, and accepting one later takes it off the list.
"""

import re
from datetime import datetime

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from index import EDITABLE, LEVELS, IndexBusy, IngestReport, SearchHit
from index.documents import TYPES
from index.ingest import VERSIONED
from index.tags import REJECTED
from nlp.taxonomy import Taxonomy
from server.checks import reject_unknown, string
from server.content.versions import record_versions
from server.errors import ApiError
from server.runtime import index_of, taxonomy_of
from server.storage.models import ContentTags, now

MAX_ITEMS = 50  # values in one list field
MAX_VALUE = 100  # characters in one value
MAX_BULK = 1000  # documents one bulk change may touch
MANUAL_WEIGHT = 1.0  # a topic L&D chose is fully about the document
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
GROUP = re.compile(r"^[a-z0-9][a-z0-9 ._&/-]*$")
LIST_FIELDS = ("topics", "skills", "tags", "audience", REJECTED)
CHANGEABLE = (*EDITABLE, REJECTED)


def overrides(db: Session) -> dict[str, dict]:
    """Every document's manual tags, for an ingest or sync to re-apply."""
    return {row.content_id: row.fields for row in db.scalars(select(ContentTags))}


def parse_changes(body, taxonomy: Taxonomy) -> dict:
    """{field: ("set", value) | ("edit", add, remove) | ("reset",)}; ApiError if anything is off."""
    if not isinstance(body, dict) or not body:
        raise ApiError("invalid_changes", "send the fields to change as a JSON object, e.g. "
                       "{\"topics\": {\"add\": [\"expenses\"]}, \"mandatory\": true}")
    unknown = sorted(set(body) - set(CHANGEABLE))
    if unknown:
        raise ApiError("unknown_field", f"these fields cannot be edited: {', '.join(unknown)}; "
                       f"editable: {', '.join(CHANGEABLE)}")
    changes = {}
    for name, value in body.items():
        if value is None:
            changes[name] = ("reset",)
        elif name in LIST_FIELDS:
            changes[name] = _list_change(name, value, taxonomy)
        else:
            changes[name] = ("set", _scalar(name, value))
    return changes


def _list_change(name: str, value, taxonomy: Taxonomy) -> tuple:
    if isinstance(value, list):
        return ("set", _values(name, value, taxonomy))
    if isinstance(value, dict) and value and set(value) <= {"add", "remove"}:
        return ("edit", _values(name, value.get("add", []), taxonomy),
                _values(name, value.get("remove", []), taxonomy))
    raise ApiError("invalid_value", f"{name} takes a list, {{\"add\": [...], \"remove\": "
                   "[...]}}, or null to go back to the automatic value")


def _values(name: str, items, taxonomy: Taxonomy) -> list[str]:
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise ApiError("invalid_value", f"{name} must be a list of strings")
    if len(items) > MAX_ITEMS:
        raise ApiError("too_many_values", f"{name} has {len(items)} values; the limit is "
                       f"{MAX_ITEMS}", 413)
    values = []
    for item in items:
        item = " ".join(item.split())
        if not item or len(item) > MAX_VALUE:
            raise ApiError("invalid_value", f"each of {name} is 1-{MAX_VALUE} characters")
        if name in ("tags", "audience"):
            item = item.lower()
        if name == "audience" and not GROUP.match(item):
            raise ApiError("invalid_value", f"audience group {item!r}: use letters, digits, "
                           "spaces and . _ & / -")
        if item not in values:
            values.append(item)
    if name in ("topics", REJECTED):
        unknown = [t for t in values if t not in taxonomy.topics]
        if unknown:
            raise ApiError("unknown_topic", f"not in the taxonomy: {', '.join(unknown)}; "
                           "GET /api/v1/topics lists the topics")
    return values


def _scalar(name: str, value):
    if name == "mandatory":
        if not isinstance(value, bool):
            raise ApiError("invalid_value", "mandatory is true or false")
        return value
    if name == "duration":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100_000:
            raise ApiError("invalid_value", "duration is whole minutes, 0 to 100000")
        return value
    if not isinstance(value, str):
        raise ApiError("invalid_value", f"{name} must be a string")
    value = value.strip()
    if name == "type" and value not in TYPES:
        raise ApiError("invalid_value", f"type is one of: {', '.join(TYPES)}")
    if name == "level" and value not in (*LEVELS, ""):
        raise ApiError("invalid_value", f"level is one of: {', '.join(LEVELS)} (or \"\")")
    if name == "language" and not LANGUAGE.match(value):
        raise ApiError("invalid_value", "language is a language tag such as en, de or pt-BR")
    if name == "owner" and len(value) > MAX_VALUE:
        raise ApiError("invalid_value", f"owner is at most {MAX_VALUE} characters")
    if name == "review_by":
        try:
            value = datetime.strptime(value, "%Y-%m-%d").strftime("%Y-%m-%d")
        except ValueError:
            raise ApiError("invalid_value", "review_by is a date: YYYY-MM-DD") from None
    return value


def _current(hit: SearchHit, name: str) -> list[str] | dict[str, float]:
    if name == REJECTED:
        return []
    return dict(hit.topics) if name == "topics" else list(getattr(hit, name))


def merge(hit: SearchHit, fields: dict, changes: dict) -> dict:
    """The document's new manual fields: its old ones with the changes made."""
    fields = dict(fields)
    for name, change in changes.items():
        if change[0] == "reset":
            fields.pop(name, None)
            continue
        if change[0] == "set":
            value = change[1]
        else:  # add and remove, on what the document has now
            _, add, remove = change
            value = fields.get(name, _current(hit, name))
            if name == "topics":
                value = {**value, **{t: MANUAL_WEIGHT for t in add if t not in value}}
            else:
                value = [*value, *[v for v in add if v not in value]]
            value = {k: v for k, v in value.items() if k not in remove} \
                if name == "topics" else [v for v in value if v not in remove]
        if name == "topics" and isinstance(value, list):
            value = {t: MANUAL_WEIGHT for t in value}
        fields[name] = value
    rejected = fields.get(REJECTED) or []
    if "topics" in changes and rejected:  # a topic chosen is no longer rejected
        fields[REJECTED] = rejected = [t for t in rejected if t not in fields.get("topics", {})]
    elif rejected and "topics" in fields:  # nor is a topic rejected kept by hand
        fields["topics"] = {t: w for t, w in fields["topics"].items() if t not in rejected}
    if not rejected:
        fields.pop(REJECTED, None)
    return fields


def edit(app: Flask, db: Session, ids: list[str], changes: dict, user: str,
         dry_run: bool = False) -> list[str]:
    """Apply changes to documents; returns the ids whose manual tags changed.

    The database rows and the index change together: if the index is busy (a long sync holds
    it), nothing is saved and the caller hears 503.
    """
    ix = index_of(app)
    new: dict[str, dict | None] = {}
    rows = {r.content_id: r for r in db.scalars(
        select(ContentTags).where(ContentTags.content_id.in_(ids)))} if ids else {}
    for doc_id in ids:
        hit = ix.get(doc_id)
        if hit is None or ix.document(doc_id) is None:  # gone, or not re-indexable until synced
            continue
        row = rows.get(doc_id)
        old = row.fields if row else {}
        fields = merge(hit, old, changes)
        if fields != old:
            new[doc_id] = fields or None
    if dry_run or not new:
        return list(new)
    for doc_id, fields in new.items():
        row = rows.get(doc_id)
        if fields is None:
            if row is not None:
                db.delete(row)
        elif row is None:
            db.add(ContentTags(content_id=doc_id, fields=fields, updated_by=user))
        else:
            row.fields, row.updated_by, row.updated_at = fields, user, now()
    db.flush()
    try:
        done = ix.retag(new, timeout=float(app.config["TAG_WRITE_TIMEOUT"]))
    except IndexBusy as exc:
        db.rollback()
        raise ApiError("index_busy", f"{exc}; nothing was changed, try again shortly",
                       503) from exc
    _record_policy_versions(ix, db, done)
    db.commit()
    return done


def bulk(app: Flask, db: Session, body: dict, user: str) -> dict:
    """A bulk change: {query, source, type, topic | ids, changes, dry_run} -> what changed."""
    reject_unknown(body, {"query", "source", "type", "topic", "ids", "changes", "dry_run"},
                   "request body")
    if "changes" not in body:
        raise ApiError("missing_field", "changes is required: {\"query\": \"expense\", "
                       "\"changes\": {\"topics\": {\"add\": [\"expenses\"]}}}")
    changes = parse_changes(body["changes"], taxonomy_of(app))
    dry_run = body.get("dry_run", False)
    if not isinstance(dry_run, bool):
        raise ApiError("invalid_type", "dry_run is true or false")
    selection = {k: string(body, k, "body", 500) for k in ("query", "source", "type", "topic")}
    ids = body.get("ids")
    if ids is not None:
        if any(selection.values()):
            raise ApiError("invalid_selection", "give ids, or a query and filters, not both")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids) or not ids:
            raise ApiError("invalid_type", "ids must be a non-empty list of content ids")
        if len(ids) > MAX_BULK:
            raise ApiError("too_many_values", f"at most {MAX_BULK} ids at once", 413)
        if any(len(i) > 500 for i in ids):
            raise ApiError("field_too_large", "a content id is at most 500 characters", 413)
        matched = sum(index_of(app).get(i) is not None for i in ids)
    elif not any(v.strip() for v in selection.values()):
        raise ApiError("invalid_selection", "give a query, a filter (source, type, topic) or "
                       "ids: a change to the whole library is refused")
    else:
        matched, ids = index_of(app).select(selection["query"], selection["source"],
                                            selection["type"], selection["topic"],
                                            limit=MAX_BULK)
        if matched > MAX_BULK:
            raise ApiError("too_many_matches", f"{matched} documents match; narrow the query "
                           f"to at most {MAX_BULK}", 413)
    changed = edit(app, db, ids, changes, user, dry_run=dry_run)
    return {"matched": matched, "changed": len(changed), "ids": changed, "dry_run": dry_run}


def _record_policy_versions(ix, db: Session, ids: list[str]) -> None:
    """A document L&D made a policy gets its first version, so it can be acknowledged."""
    report = IngestReport(source="")
    for doc_id in ids:
        hit = ix.get(doc_id)
        if hit is not None and hit.type in VERSIONED:
            report.versions.append((hit.id, hit.hash, hit.title))
    if report.versions:
        record_versions(db, report, commit=False)


def manual_of(db: Session, doc_id: str) -> dict:
    row = db.get(ContentTags, doc_id)
    if row is None:
        return {"fields": {}, "updated_by": None, "updated_at": None}
    return {"fields": row.fields, "updated_by": row.updated_by,
            "updated_at": row.updated_at.isoformat() + "Z"}


def detail(app: Flask, db: Session, hit: SearchHit) -> dict:
    """What L&D sees of a document: what the tagger proposed (each with its confidence, and
    whether it is applied, rejected or under the floor), and what they set by hand."""
    taxonomy, manual = taxonomy_of(app), manual_of(db, hit.id)
    rejected, floor = set(manual["fields"].get(REJECTED) or ()), index_of(app).tag_floor
    return {
        "floor": floor,
        "proposed": {
            "topics": [{"id": t, "label": taxonomy.label(t), "confidence": w,
                        "applied": t in hit.topics, "rejected": t in rejected,
                        "under_floor": w < floor}
                       for t, w in hit.proposed.items()],
            "skills": [{"name": s, "confidence": w}
                       for s, w in taxonomy.propose_skills(hit.proposed).items()],
        },
        "manual": manual,
    }
