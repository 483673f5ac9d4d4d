"""Users and their personal API tokens (stored hashed, shown once)."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.storage.models import ROLES, TOKEN_SCOPES, ApiToken, User, now

TOKEN_PREFIX = "jl_"


def hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


MAX_GROUP_CHARS = 60


def set_groups(user: User, groups: Iterable[str]) -> None:
    """The one writer of a person's audience groups, whoever says them (an admin, the identity
    provider's claim, the directory's groups): trimmed, lower case, each once, sorted."""
    user.groups = sorted({g.strip().lower() for g in groups if g.strip()})


def add_user(db: Session, name: str, role: str = "employee", email: str | None = None,
             groups: list[str] | None = None, manager: User | None = None) -> User:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ApiError("invalid_user", "a user name is 1-100 characters")
    if role not in ROLES:
        raise ApiError("invalid_role", f"role must be one of: {', '.join(ROLES)}")
    if db.scalar(select(User).where(User.name == name)):
        raise ApiError("user_exists", f"a user named {name!r} already exists", 409)
    if any(len(g.strip()) > MAX_GROUP_CHARS for g in groups or []):
        raise ApiError("invalid_group", f"a group name is at most {MAX_GROUP_CHARS} characters")
    user = User(name=name, role=role, email=email, pseudonym=secrets.token_hex(8),
                manager_id=manager.id if manager else None)
    set_groups(user, groups or [])
    db.add(user)
    db.commit()
    return user


def set_manager(db: Session, user: User, manager: User | None) -> None:
    """user reports to manager from now on; a loop in the reporting line is refused."""
    current = manager
    while current is not None:
        if current.id == user.id:
            raise ApiError("invalid_manager", f"{manager.name} reports to {user.name} already "
                           "(directly or not): that would make a loop")
        current = db.get(User, current.manager_id) if current.manager_id else None
    user.manager_id = manager.id if manager else None
    db.commit()


def find_user(db: Session, name: str) -> User:
    user = db.scalar(select(User).where(User.name == name))
    if user is None:
        raise ApiError("no_such_user", f"no user named {name!r}; add one with "
                       "`jitlearn users add NAME`", 404)
    return user


def create_token(db: Session, user: User, name: str = "", expires: timedelta | None = None,
                 scope: str = "full") -> str:
    """A new token for the user; returns the token itself, which is never stored.

    expires: how long it works (None: until revoked); scope: TOKEN_SCOPES, "read" for GETs of
    the API only, "scim" for provisioning only."""
    if scope not in TOKEN_SCOPES:
        raise ApiError("invalid_scope", f"a token's scope is one of {', '.join(TOKEN_SCOPES)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.add(ApiToken(user_id=user.id, name=name[:100], token_hash=hash_token(token),
                    prefix=token[:10], scope=scope,
                    expires_at=now() + expires if expires is not None else None))
    db.commit()
    return token


def revoke_token(db: Session, prefix: str) -> int:
    tokens = db.scalars(select(ApiToken).where(ApiToken.prefix == prefix,
                                               ApiToken.revoked_at.is_(None))).all()
    for t in tokens:
        t.revoked_at = now()
    db.commit()
    return len(tokens)


def token_holder(db: Session, token: str) -> tuple[User, str] | None:
    """(the person, the token's scope) for a token that works now: known, not revoked, not
    expired, its person active; else None."""
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token),
                                           ApiToken.revoked_at.is_(None)))
    used = now()
    if row is None or (row.expires_at is not None and row.expires_at <= used):
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.active:
        return None  # a deactivated person's tokens stop working with them
    if row.last_used_at is None or used - row.last_used_at > LAST_USED_EVERY:
        row.last_used_at = used  # to the minute: not a database write on every request
        db.commit()
    return user, row.scope or "full"


LAST_USED_EVERY = timedelta(minutes=1)
