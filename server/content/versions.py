"""Policy versions: every changed policy gets a new version on record; the old ones are kept."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from index import IngestReport
from server.storage.models import ContentVersion


def record_versions(db: Session, report: IngestReport, commit: bool = True) -> int:
    """Record a new version of each policy of the report whose content hash is not the latest
    on record; returns how many."""
    recorded = 0
    latest = _latest(db, [content_id for content_id, _, _ in report.versions])
    for content_id, content_hash, title in report.versions:
        last = latest.get(content_id)
        if last is not None and last.content_hash == content_hash:
            continue
        db.add(ContentVersion(content_id=content_id, version=(last.version if last else 0) + 1,
                              content_hash=content_hash, title=title[:300]))
        recorded += 1
    if commit:
        db.commit()
    return recorded


def _latest(db: Session, ids: list[str]) -> dict[str, ContentVersion]:
    """The latest version on record of each content id, fetched 500 ids at a time."""
    latest: dict[str, ContentVersion] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in db.scalars(select(ContentVersion).where(ContentVersion.content_id.in_(chunk))):
            if row.content_id not in latest or row.version > latest[row.content_id].version:
                latest[row.content_id] = row
    return latest


def versions_of(db: Session, content_id: str) -> list[dict]:
    rows = db.scalars(select(ContentVersion).where(ContentVersion.content_id == content_id)
                      .order_by(ContentVersion.version))
    return [{"version": r.version, "hash": r.content_hash, "title": r.title,
             "recorded_at": r.created_at.isoformat() + "Z"} for r in rows]


def count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(ContentVersion)) or 0
