"""Console sessions kept on the server: the cookie carries a random id and nothing else.

A signed cookie cannot be taken back: a copy made before sign-out went on working after it. Here
the cookie's id names a row in `console_sessions` (by its hash, so a database dump opens no
session); ending a session deletes the row. Sessions end at sign-out, when the person's password
or role changes or they are deactivated (every one of theirs), after IDLE_MINUTES without use
(server/console/views.py) and SESSION_HOURS after sign-in whatever happens. What the console flashes
(a new token, a sign-in link) lives in the row, never in the cookie.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import Flask, request
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete
from sqlalchemy.orm import Session
from werkzeug.datastructures import CallbackDict

from server.state import runtime_of
from server.storage.models import ConsoleSession, now


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, initial=None, sid: str | None = None):
        def changed(_):
            self.modified = True

        super().__init__(initial or {}, changed)
        self.sid = sid
        self.modified = False
        self.ended: list[str] = []  # ids to delete: the old one after a sign-in or a sign-out

    def renew(self) -> None:
        """A new id from now on (at every sign-in), the old row deleted: no session fixation."""
        if self.sid:
            self.ended.append(self.sid)
        self.sid = None
        self.clear()


class ServerSessions(SessionInterface):
    def _db(self, app: Flask) -> Session:
        return runtime_of(app).sessions()

    def _lifetime(self, app: Flask) -> timedelta:
        return timedelta(hours=float(app.config["SESSION_HOURS"]))

    def open_session(self, app: Flask, req) -> ServerSession:
        sid = req.cookies.get(self.get_cookie_name(app), "")
        if not sid or len(sid) > 100:
            return ServerSession()
        with self._db(app) as db:
            row = db.get(ConsoleSession, _hash(sid))
            if row is None or row.created_at < now() - self._lifetime(app):
                return ServerSession()  # unknown, ended, or past its absolute lifetime
            return ServerSession(row.data, sid)

    def save_session(self, app: Flask, session: ServerSession, response) -> None:
        name, domain = self.get_cookie_name(app), self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        changed = bool(session) and session.modified
        stale_cookie = not session and bool(request.cookies.get(name))
        if not (session.ended or changed or stale_cookie):
            return  # nothing to write: every API request, and console pages read only
        with self._db(app) as db:
            for sid in session.ended:
                db.execute(delete(ConsoleSession).where(ConsoleSession.id_hash == _hash(sid)))
            if not session:
                db.commit()
                if session.sid or session.ended or request.cookies.get(name):
                    response.delete_cookie(name, domain=domain, path=path)
                return
            if not session.modified and session.sid:
                db.commit()
                return
            if session.sid is None:
                session.sid = secrets.token_urlsafe(32)
                db.add(ConsoleSession(id_hash=_hash(session.sid), data=dict(session),
                                      user_id=session.get("user")))
            else:
                row = db.get(ConsoleSession, _hash(session.sid))
                if row is None:  # ended meanwhile (signed out elsewhere): stay ended
                    db.commit()
                    response.delete_cookie(name, domain=domain, path=path)
                    return
                row.data, row.user_id = dict(session), session.get("user")
            db.commit()
        response.set_cookie(name, session.sid, httponly=True, path=path, domain=domain,
                            secure=bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure,
                            samesite=app.config["SESSION_COOKIE_SAMESITE"])


def end_sessions(db: Session, user_id: int, keep: str | None = None) -> None:
    """End every console session of this person (but keep, the one in use, if given)."""
    query = delete(ConsoleSession).where(ConsoleSession.user_id == user_id)
    if keep:
        query = query.where(ConsoleSession.id_hash != _hash(keep))
    db.execute(query)


def purge_sessions(db: Session, lifetime_hours: float) -> int:
    """Delete sessions past their absolute lifetime (the daily purge)."""
    old = now() - timedelta(hours=lifetime_hours)
    return db.execute(delete(ConsoleSession).where(ConsoleSession.created_at < old)).rowcount
