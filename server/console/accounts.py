"""Signing in to the web console: passwords (scrypt), one-time login links, deactivation."""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from server.console.sessions import end_sessions
from server.errors import ApiError
from server.people.users import hash_token
from server.storage.db import checkpoint
from server.storage.models import ApiToken, Expertise, LoginLink, OpportunityInterest, User, now

LINK_HOURS = 24
MIN_PASSWORD = 12
# scrypt (memory-hard, in the standard library), Werkzeug's format: "scrypt:32768:8:1$salt$hash"
METHOD = "scrypt:32768:8:1"
# compared against when the user does not exist, so a wrong name costs as long as a wrong password
_DUMMY = generate_password_hash("not a password of anyone", method=METHOD)


def set_password(db: Session, user: User, password: str, keep_session: str | None = None) -> None:
    """Set the password and end the person's console sessions (but keep_session, in use)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD or len(password) > 1000:
        raise ApiError("weak_password", f"a password is at least {MIN_PASSWORD} characters")
    user.password_hash = generate_password_hash(password, method=METHOD)
    end_sessions(db, user.id, keep=keep_session)
    db.commit()


def authenticate(db: Session, name: str, password: str) -> User | None:
    """The active user with this name and password, or None (the same answer for any reason)."""
    user = db.scalar(select(User).where(User.name == (name or "").strip()))
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    return user


def create_link(db: Session, user: User) -> str:
    """A one-time sign-in token, valid LINK_HOURS; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    db.add(LoginLink(user_id=user.id, token_hash=hash_token(token),
                     expires_at=now() + timedelta(hours=LINK_HOURS)))
    db.commit()
    return token


def use_link(db: Session, token: str) -> User | None:
    """The user a link signs in, once; None when unknown, used, expired or deactivated."""
    link = db.scalar(select(LoginLink).where(LoginLink.token_hash == hash_token(token or "")))
    if link is None or link.used_at is not None or link.expires_at < now():
        return None
    link.used_at = now()
    db.commit()
    user = db.get(User, link.user_id)
    return user if user is not None and user.active else None


def delete(db: Session, user: User) -> None:
    """The person and everything about them, gone: the database's foreign keys remove their
    tokens, profile, ratings, requests, feedback and feedback about them, and turn what they
    wrote about others and their place as someone's manager into "someone who left"."""
    db.delete(user)
    db.commit()
    checkpoint(db)


def deactivate(db: Session, user: User) -> None:
    """No more sign-in, every console session ended and every token revoked; what they offered
    others (to be asked about skills) and their interest in opportunities are deleted."""
    user.active = False
    db.execute(sa.delete(Expertise).where(Expertise.user_id == user.id))
    db.execute(sa.delete(OpportunityInterest).where(OpportunityInterest.user_id == user.id))
    end_sessions(db, user.id)
    for token in db.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                   ApiToken.revoked_at.is_(None))):
        token.revoked_at = now()
    db.commit()
