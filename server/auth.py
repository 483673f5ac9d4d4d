"""Bearer-token authentication for /api/v1."""

from functools import wraps

from flask import g, request

from . import access, db
from .errors import ApiError
from .people import user_for_token


def require_token(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError("unauthorized", "send a personal API token as 'Authorization: Bearer "
                           "<token>'; create one with `jitlearn tokens create NAME`", 401)
        user = user_for_token(db.session(), token.strip())
        if user is None:
            raise ApiError("unauthorized", "this token is unknown or revoked", 401)
        g.user = user
        access.check(request.endpoint, user.role)
        return view(*args, **kwargs)

    return wrapped
