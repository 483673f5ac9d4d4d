"""The audit trail: who did what that matters to security, when and from where.

Recorded in the same transaction as the change it describes (the caller commits), so the trail
never claims what did not happen. Shown to admins in the console (/console/audit) and exported
as JSON lines (`jitlearn audit export`, or the console's download) for a SIEM.
"""

import json
from collections.abc import Iterator
from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.storage.models import AuditEntry

# the rules' own entries (server/content/rulesets.py), which the rules' versions page lists
RULE_PREFIXES = ("draft.", "rule.", "topic.", "publish", "rollback")
PAGE = 100


def record(db: Session, actor: str, action: str, target: str = "", **detail) -> None:
    """Add an entry to the caller's transaction. actor: a user name, "cli", or "scim:<name>"."""
    db.add(AuditEntry(actor=(actor or "")[:100], action=action[:50], target=(target or "")[:500],
                      detail=detail, address=client_address()))


def client_address() -> str:
    """The address of the client of this request ("" outside one, e.g. the CLI); behind a
    proxy, the one ProxyFix took from X-Forwarded-For when PROXY_HOPS says to trust it."""
    return (request.remote_addr or "")[:64] if has_request_context() else ""


def entries(db: Session, action: str = "", before: int | None = None,
            limit: int = PAGE) -> list[AuditEntry]:
    """Newest first; action "" for all, a prefix like "scim." for a family."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    if before:
        query = query.where(AuditEntry.id < before)
    return list(db.scalars(query))


def as_dict(entry: AuditEntry) -> dict:
    return {"id": entry.id, "at": entry.at.isoformat() + "Z", "actor": entry.actor,
            "action": entry.action, "target": entry.target, "detail": entry.detail or {},
            "address": entry.address}


def export(db: Session, since: datetime | None = None) -> Iterator[str]:
    """Every entry, oldest first, one JSON object a line."""
    query = select(AuditEntry).order_by(AuditEntry.id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    for entry in db.scalars(query.execution_options(yield_per=500)):
        yield json.dumps(as_dict(entry), ensure_ascii=False) + "\n"
