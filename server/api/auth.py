"""Bearer-token authentication for /api/v1."""

from functools import wraps

from flask import g, request

from server.api import access
from server.errors import ApiError
from server.people.users import token_holder
from server.storage import db


def bearer_token() -> str:
    """The token of an 'Authorization: Bearer <token>' header, or ""."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def require_token(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        token = bearer_token()
        if not token:
            raise ApiError("unauthorized", "send a personal API token as 'Authorization: Bearer "
                           "<token>'; create one with `jitlearn tokens create NAME`", 401)
        found = token_holder(db.session(), token)
        if found is None:
            raise ApiError("unauthorized", "this token is unknown, expired or revoked", 401)
        user, scope = found
        if scope == "scim":
            raise ApiError("forbidden", "this token is for SCIM provisioning only", 403)
        if scope == "read" and request.method not in ("GET", "HEAD"):
            raise ApiError("forbidden", "this token may only read (GET); ask for a full one",
                           403)
        g.user = user
        access.check(request.endpoint, user.role)
        return view(*args, **kwargs)

    return wrapped
