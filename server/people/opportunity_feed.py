"""Opportunities from an HR system: a CSV or JSON feed, read from a file (`jitlearn import
opportunities`) or fetched by a source of kind opportunities (server/content/sources.py).

Each row is an opportunity keyed by the feed's id within its source: new ones are added, known
ones updated, the source's others closed. A bad row fails alone with its reason; a feed that
cannot be read changes nothing."""

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.people.opportunities import apply
from server.storage.models import Opportunity

MAX_FEED_ROWS = 5000
MAX_FEED_BYTES = 5 * 2**20


@dataclass
class FeedReport:
    added: int = 0
    updated: int = 0
    closed: int = 0  # in the source before, not in this feed
    failed: list[tuple[str, str]] | None = None  # (row, why)


FEED_FIELDS = ("id", "title", "description", "kind", "owner", "skills", "open_until", "starts",
               "ends", "hours_per_week", "places", "audience", "state")


def read_feed(path: Path) -> list[dict]:
    """Rows of a feed file: CSV (a header row naming FEED_FIELDS) or JSON (a list of objects)."""
    try:
        if path.stat().st_size > MAX_FEED_BYTES:
            raise ApiError("invalid_feed", f"{path.name}: larger than {MAX_FEED_BYTES >> 20} MB")
        raw = path.read_bytes()
    except OSError as exc:
        raise ApiError("invalid_feed", f"cannot read {path.name}: {exc}") from None
    return parse_feed(raw, path.name)


def parse_feed(raw: bytes, name: str) -> list[dict]:
    """Rows of a feed's bytes: JSON when they start like JSON, else CSV."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError("invalid_feed", f"{name}: not UTF-8 text") from None
    if text.lstrip()[:1] in ("[", "{"):
        try:
            rows = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise ApiError("invalid_feed", f"{name}: not JSON ({str(exc)[:200]})") from None
        if isinstance(rows, dict):
            rows = rows.get("opportunities")
        if not isinstance(rows, list):
            raise ApiError("invalid_feed", f"{name}: a list of opportunities, or "
                           '{"opportunities": [...]}')
    else:
        try:
            reader = csv.DictReader(io.StringIO(text))
            fields = {f.strip().lower() for f in reader.fieldnames or []}
            rows = [{(k or "").strip().lower(): v for k, v in row.items()} for row in reader]
        except csv.Error as exc:
            raise ApiError("invalid_feed", f"{name}: not a readable CSV ({exc})") from None
        if not {"id", "title"} <= fields:
            raise ApiError("invalid_feed", f"{name}: a CSV with a header row naming at "
                           f"least id and title (and any of {', '.join(FEED_FIELDS[2:])})")
    if len(rows) > MAX_FEED_ROWS:
        raise ApiError("invalid_feed", f"{name}: more than {MAX_FEED_ROWS} opportunities")
    return rows


def import_feed(db: Session, source: str, path: Path) -> FeedReport:
    """A feed file's opportunities, as import_rows brings them in."""
    return import_rows(db, source, read_feed(path))


def import_rows(db: Session, source: str, rows: list) -> FeedReport:
    """Bring a feed's opportunities in as source's: new ones added, known ones (by the feed's
    id) updated, the source's others closed. A bad row fails alone with its reason."""
    report = FeedReport(failed=[])
    seen: set[str] = set()
    for n, row in enumerate(rows, 1):
        label = f"row {n}"
        if not isinstance(row, dict):
            report.failed.append((label, "not an object"))
            continue
        external = str(row.get("id") or "").strip()[:200]
        label = f"row {n} ({external})" if external else label
        if not external:
            report.failed.append((label, "no id"))
            continue
        if external in seen:
            report.failed.append((label, "the same id as an earlier row"))
            continue
        seen.add(external)
        body = {k: row[k] for k in FEED_FIELDS[1:] if row.get(k) not in (None, "")}
        o = db.scalar(select(Opportunity).where(Opportunity.source == source,
                                                Opportunity.external_id == external))
        new = o is None
        if new:
            o = Opportunity(source=source, external_id=external, skills=[], places=[],
                            audience=[], title="", owner_id=None)
        try:
            with db.begin_nested():
                apply(db, o, body, None)
                if new:
                    db.add(o)
        except ApiError as exc:
            if not new:
                db.refresh(o)
            report.failed.append((label, exc.message))
            continue
        report.added += new
        report.updated += not new
    for o in db.scalars(select(Opportunity).where(Opportunity.source == source,
                                                  Opportunity.state == "open")):
        if o.external_id not in seen:
            o.state = "closed"
            report.closed += 1
    db.commit()
    return report


def close_source(db: Session, source: str) -> int:
    """A feed's source was removed: its open opportunities close (interest in them is kept for
    their owners)."""
    closed = 0
    for o in db.scalars(select(Opportunity).where(Opportunity.source == source,
                                                  Opportunity.state == "open")):
        o.state = "closed"
        closed += 1
    db.commit()
    return closed
