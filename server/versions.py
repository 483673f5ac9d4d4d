"""Policy versions: every changed policy gets a new version on record; the old ones are kept."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from index import IngestReport

from .models import ContentVersion


def record_versions(db: Session, report: IngestReport, commit: bool = True) -> int:
    """Record the policies an ingest or sync indexed in a new version; returns how many."""
    recorded = 0
    for content_id, content_hash, title in report.versions:
        last = db.scalars(select(ContentVersion).where(ContentVersion.content_id == content_id)
                          .order_by(ContentVersion.version.desc()).limit(1)).first()
        if last is not None and last.content_hash == content_hash:
            continue
        db.add(ContentVersion(content_id=content_id, version=(last.version if last else 0) + 1,
                              content_hash=content_hash, title=title[:300]))
        recorded += 1
    if commit:
        db.commit()
    return recorded


def versions_of(db: Session, content_id: str) -> list[dict]:
    rows = db.scalars(select(ContentVersion).where(ContentVersion.content_id == content_id)
                      .order_by(ContentVersion.version))
    return [{"version": r.version, "hash": r.content_hash, "title": r.title,
             "recorded_at": r.created_at.isoformat() + "Z"} for r in rows]


def count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(ContentVersion)) or 0
