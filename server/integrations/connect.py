"""Connecting the browser extension: a one-time code for a token, with PKCE (RFC 7636).

The extension opens /console/connect with its redirect page, a state and an S256 challenge. The
person signs in to the console (with the organisation's OIDC provider or otherwise) and agrees;
the console sends the browser to the extension's page with a code valid CODE_MINUTES, once. The
extension trades the code and its verifier for a personal token at POST /api/v1/connect, so a
code seen by anyone else is worthless without the verifier only the extension holds.
"""

import re
import secrets
from datetime import timedelta
from urllib.parse import urlencode, urlparse

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.integrations.oidc import challenge
from server.people.users import create_token, hash_token
from server.storage.models import ConnectCode, User, now

CODE_MINUTES = 2
PAGE = "/connected.html"  # the extension's page that receives the code
PKCE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")


def check_request(cfg, args) -> dict:
    """The extension's connect request (redirect_uri, state, code_challenge), or ApiError."""
    uri = args.get("redirect_uri", "")
    parts = urlparse(uri) if len(uri) <= 300 else None
    ids = {i.strip() for i in str(cfg["EXTENSION_IDS"]).split(",") if i.strip()}
    if (parts is None or parts.scheme != "chrome-extension" or parts.netloc not in ids
            or parts.path != PAGE or parts.query or parts.fragment):
        raise ApiError("invalid_request", "this connect link does not come from a jitlearn "
                       "extension this server knows (JITLEARN_EXTENSION_IDS)")
    state, code_challenge = args.get("state", ""), args.get("code_challenge", "")
    if not 8 <= len(state) <= 200 or not PKCE.match(code_challenge) or args.get(
            "code_challenge_method") != "S256":
        raise ApiError("invalid_request", "this connect link lacks its state or its S256 "
                       "code challenge; start again from the extension's settings")
    return {"redirect_uri": uri, "state": state, "code_challenge": code_challenge}


def issue(db: Session, user: User, request: dict) -> str:
    """Where to send the browser: the extension's page with a one-time code and the state."""
    code = secrets.token_urlsafe(32)
    db.execute(delete(ConnectCode).where(ConnectCode.expires_at < now() - timedelta(hours=1)))
    db.add(ConnectCode(code_hash=hash_token(code), user_id=user.id,
                       code_challenge=request["code_challenge"],
                       redirect_uri=request["redirect_uri"],
                       expires_at=now() + timedelta(minutes=CODE_MINUTES)))
    db.commit()
    return request["redirect_uri"] + "?" + urlencode({"code": code, "state": request["state"]})


def redeem(db: Session, code: str, verifier: str, redirect_uri: str) -> tuple[User, str]:
    """(user, new token) for a code and the verifier that answers its challenge; once."""
    refused = ApiError("invalid_grant", "this connect code is unknown, used, expired or not "
                       "yours; connect again from the extension's settings")
    row = db.get(ConnectCode, hash_token(code))
    if (row is None or row.used_at is not None or row.expires_at < now()
            or row.redirect_uri != redirect_uri or not PKCE.match(verifier)
            or not secrets.compare_digest(challenge(verifier), row.code_challenge)):
        raise refused
    taken = db.execute(update(ConnectCode).where(ConnectCode.code_hash == row.code_hash,
                                                 ConnectCode.used_at.is_(None))
                       .values(used_at=now()))
    db.commit()
    user = db.get(User, row.user_id)
    if taken.rowcount != 1 or user is None or not user.active:
        raise refused
    return user, create_token(db, user, "extension")
