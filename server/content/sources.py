"""Content sources: add, list, remove, and sync each one (a folder, a feed or a sitemap).

sync_source() is a plain function: the CLI, the API and the scheduler's job all call it. A source
that fails records why and never stops the others.
"""

import logging
import re
import threading
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from index import IndexBusy, IngestReport, UnreadableFile, ingest_dir, sync_documents
from index.documents import content_hash
from index.formats import check_template, feeds, finish, markup
from server.content.tags import overrides
from server.content.versions import record_versions
from server.errors import ApiError
from server.integrations.http import Allowed, FetchError, fetch
from server.people.opportunity_feed import close_source, import_rows, parse_feed
from server.runtime import index_of, tagger_of
from server.storage import audit
from server.storage.models import SOURCE_KINDS, Source, now

log = logging.getLogger(__name__)
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
MAX_PAGES = 500  # pages fetched from one sitemap per sync
MAX_FAILURES = 100  # failures kept per source, the first ones
_running: set[str] = set()  # sources this process is syncing now
_running_lock = threading.Lock()


def add_source(db: Session, name: str, kind: str, location: str, every: int = 60,
               roots: list[str] | None = None, home: str = "", actor: str = "cli",
               url_template: str = "") -> Source:
    """Add a source. roots: the folders a folder source may lie under (None: any, for the
    operator at the server's shell); home: the data directory, never part of a source;
    actor: who, for the audit trail; url_template: where a folder's documents are read
    (index.formats.address)."""
    if not NAME.match(name or ""):
        raise ApiError("invalid_name", "a source name is letters, digits, '.', '_' or '-' "
                       "(it prefixes every document id)")
    if kind not in SOURCE_KINDS:
        raise ApiError("invalid_kind", f"kind must be one of: {', '.join(SOURCE_KINDS)}")
    if kind == "folder":
        _check_folder(location, roots, home)
    if kind != "folder" and not location.startswith(("http://", "https://")):
        raise ApiError("invalid_location", f"a {kind} source needs an http(s) address")
    if not isinstance(every, int) or not 5 <= every <= 60 * 24 * 7:
        raise ApiError("invalid_schedule", "sync every 5 minutes to 7 days (in minutes)")
    if url_template:
        url_template = template_of(url_template, kind)
    if db.scalar(select(Source).where(Source.name == name)):
        raise ApiError("source_exists", f"a source named {name!r} already exists", 409)
    source = Source(name=name, kind=kind, location=location if kind != "folder"
                    else str(Path(location).resolve()), every_minutes=every,
                    url_template=url_template)
    db.add(source)
    audit.record(db, actor, "source.add", name, kind=kind, location=source.location,
                 url_template=url_template)
    db.commit()
    return source


def change_source(db: Session, name: str, every: int | None = None,
                  url_template: str | None = None, actor: str = "cli") -> Source:
    """Change a source's schedule or address template; a new template reaches every file at
    the next sync (unchanged files are read again once)."""
    source = find_source(db, name)
    if every is not None:
        if isinstance(every, bool) or not isinstance(every, int) or not 5 <= every <= 60 * 24 * 7:
            raise ApiError("invalid_schedule", "sync every 5 minutes to 7 days (in minutes)")
        source.every_minutes = every
    if url_template is not None and url_template != source.url_template:
        source.url_template = template_of(url_template, source.kind) if url_template else ""
        source.reread = True
    audit.record(db, actor, "source.change", name, every=source.every_minutes,
                 url_template=source.url_template)
    db.commit()
    return source


def template_of(template: str, kind: str = "folder") -> str:
    """A checked address template, or ApiError saying what is wrong with it."""
    if kind != "folder":
        raise ApiError("invalid_template", "only a folder source takes an address template: "
                       "feeds and sitemaps give each page its own")
    try:
        return check_template(template)
    except ValueError as exc:
        raise ApiError("invalid_template", str(exc)) from None


def _check_folder(location: str, roots: list[str] | None, home: str) -> None:
    """Refuse a folder outside the allowed roots (before saying whether it exists) or one that
    holds the data directory (its signing key, database and backups)."""
    folder = Path(location).resolve()
    allowed = [Path(r).resolve() for r in roots or [] if r.strip()]
    if roots is not None and not any(folder == r or r in folder.parents for r in allowed):
        where = ", ".join(map(str, allowed)) or "none are set"
        raise ApiError("folder_not_allowed", "folder sources must lie under a folder the admin "
                       f"allowed in JITLEARN_SOURCE_ROOTS ({where})", 403)
    data = Path(home).resolve() if home else None
    if data and (folder == data or folder in data.parents):
        raise ApiError("folder_not_allowed", "a source folder cannot hold jitlearn's data "
                       f"directory ({data})", 403)
    if not folder.is_dir():
        raise ApiError("invalid_location", f"{location} is not a folder on the server")


def find_source(db: Session, name: str) -> Source:
    source = db.scalar(select(Source).where(Source.name == name))
    if source is None:
        raise ApiError("no_such_source", f"no source named {name!r}", 404)
    return source


def remove_source(app: Flask, db: Session, name: str, withdraw: bool = True,
                  actor: str = "cli") -> int:
    """Remove a source; its documents are withdrawn from the index unless asked not to."""
    source = find_source(db, name)
    removed = 0
    if source.kind == "opportunities":
        removed = close_source(db, source.name)
    elif withdraw:
        ix = index_of(app)
        removed = ix.delete(list(ix.hashes(source.name)))
    db.delete(source)
    audit.record(db, actor, "source.remove", name, withdrawn=removed)
    db.commit()
    return removed


def describe(source: Source) -> dict:
    return {"name": source.name, "kind": source.kind, "location": source.location,
            "every_minutes": source.every_minutes, "url_template": source.url_template,
            "last_run_at": source.last_run_at.isoformat() + "Z" if source.last_run_at else None,
            "last_status": source.last_status, "last_counts": source.last_counts,
            "last_failures": source.last_failures}


def sync_source(app: Flask, db: Session, name: str, tagger=None,
                actor: str | None = None) -> Source:
    """Sync one source now and record the outcome; errors are recorded, not raised.

    tagger: a tagger_of(app) to reuse when syncing many sources in a row (building one takes
    about a second). A source already syncing in this process answers 409; different sources
    sync side by side and only take turns at the index writer's lock. actor: who asked, for
    the audit trail (None: the scheduler, which is not recorded there).
    """
    source = find_source(db, name)
    if actor is not None:
        audit.record(db, actor, "source.sync", name)
    with _only_one(source.name):
        if source.kind == "opportunities":
            return _sync_opportunities(app, db, source)
        try:
            report = _SYNC[source.kind](app, source, overrides(db), tagger or tagger_of(app))
            record_versions(db, report)
            source.last_status = "ok" if not report.failed else "partial"
            source.last_counts = {"added": report.added, "updated": report.updated,
                                  "unchanged": report.unchanged, "withdrawn": report.deleted,
                                  "failed": len(report.failed)}
            source.last_failures = [list(f) for f in report.failed[:MAX_FAILURES]]
        except (FetchError, UnreadableFile, OSError, IndexBusy) as exc:
            log.warning("source %s failed: %s", source.name, exc)
            _failed(source, str(exc))
        except Exception as exc:  # noqa: BLE001  (one source's failure never stops the others)
            log.exception("source %s failed", source.name)
            _failed(source, f"sync failed ({exc.__class__.__name__}); the server log has details")
        source.last_run_at = now()
        db.commit()
    return source


@contextmanager
def _only_one(name: str):
    with _running_lock:
        if name in _running:
            raise ApiError("sync_running", f"source {name!r} is being synced now; "
                           "its status shows the outcome when it ends", 409)
        _running.add(name)
    try:
        yield
    finally:
        with _running_lock:
            _running.discard(name)


def _sync_opportunities(app: Flask, db: Session, source: Source) -> Source:
    """An HR system's opportunities feed (CSV or JSON at an http(s) address): new ones added,
    known ones updated, the ones it no longer lists closed; a bad row fails alone."""
    try:
        rows = parse_feed(_fetch(app, source.location), source.location)
        report = import_rows(db, source.name, rows)
        source.last_status = "ok" if not report.failed else "partial"
        source.last_counts = {"added": report.added, "updated": report.updated,
                              "closed": report.closed, "failed": len(report.failed)}
        source.last_failures = [list(f) for f in report.failed[:MAX_FAILURES]]
    except (FetchError, ApiError) as exc:
        db.rollback()
        log.warning("source %s failed: %s", source.name, exc)
        _failed(source, exc.message if isinstance(exc, ApiError) else str(exc))
    source.last_run_at = now()
    db.commit()
    return source


def _failed(source: Source, reason: str) -> None:
    source.last_status = "failed"
    source.last_counts = {}
    source.last_failures = [[source.location, reason]]


def _sync_folder(app: Flask, source: Source, manual: dict, tag) -> IngestReport:
    report = ingest_dir(index_of(app), source.name, source.location, tag, overrides=manual,
                        url_template=source.url_template, full=source.reread)
    source.reread = False
    return report


def _sync_feed(app: Flask, source: Source, manual: dict, tag) -> IngestReport:
    docs = feeds.feed(_fetch(app, source.location))
    for doc in docs:
        finish(doc, source.name, doc.id.lstrip("#"), content_hash(
            f"{doc.title}\n{doc.url}\n{doc.body}".encode()))
    return sync_documents(index_of(app), source.name, docs, tag, overrides=manual)


def _sync_sitemap(app: Flask, source: Source, manual: dict, tag) -> IngestReport:
    """Fetch the pages whose lastmod changed since the last sync; keep the others as they are."""
    ix = index_of(app)
    known = ix.hashes(source.name)
    docs, keep, failed = [], set(), []
    for url, lastmod in feeds.sitemap(_fetch(app, source.location))[:MAX_PAGES]:
        doc_id = f"{source.name}:{url}"
        marker = f"lastmod:{lastmod}" if lastmod else ""
        if marker and known.get(doc_id) == marker:
            keep.add(doc_id)
            continue
        try:
            raw = _fetch(app, url)
            [doc] = markup.html(raw.decode("utf-8", errors="replace"))
        except (FetchError, UnreadableFile, ValueError, RecursionError) as exc:
            failed.append((url, str(exc) if not isinstance(exc, RecursionError)
                           else "nested too deeply to read"))
            if doc_id in known:
                keep.add(doc_id)  # a page that fails now keeps its last good version
            continue
        doc.url = url
        finish(doc, source.name, url, marker or content_hash(raw))
        docs.append(doc)
    return sync_documents(ix, source.name, docs, tag, keep=keep, failed=failed,
                          overrides=manual)


def _fetch(app: Flask, url: str) -> bytes:
    cfg = app.config
    return fetch(url, timeout=float(cfg["FETCH_TIMEOUT"]), max_bytes=int(cfg["FETCH_MAX_BYTES"]),
                 allowed=Allowed(cfg["FETCH_ALLOW_HOSTS"]), deadline=float(cfg["FETCH_DEADLINE"]))


_SYNC = {"folder": _sync_folder, "feed": _sync_feed, "sitemap": _sync_sitemap}
