"""Bearer-token authentication for /api/v1."""

from functools import wraps

from flask import g, request

from . import access, db
from .errors import ApiError
from .people import user_for_token


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
        user = user_for_token(db.session(), token)
        if user is None:
            raise ApiError("unauthorized", "this token is unknown or revoked", 401)
        g.user = user
        access.check(request.endpoint, user.role)
        return view(*args, **kwargs)

    return wrapped
