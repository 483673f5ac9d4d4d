"""Reading a document in jitlearn itself, so that every card opens something.

Content with no address of its own (a folder without an address template, the samples) is
read at /read/<id>. A card is opened in a new tab, which carries no API token, so the link is
signed for the person it was made for and ends after LINK_DAYS: it opens only for them, only
while their audience groups may see the document, and a changed or expired link is refused.
"""

import hashlib
import hmac
import time
from urllib.parse import quote

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from index import SearchHit
from server.errors import ApiError
from server.runtime import index_of
from server.storage.models import User

LINK_DAYS = 7


def read_link(app: Flask, user: User, doc_id: str) -> str:
    """A signed address where this person reads the document."""
    expires = int(time.time()) + LINK_DAYS * 86400
    signature = _sign(app, doc_id, user.pseudonym, expires)
    return (f"{app.config['PUBLIC_URL'].rstrip('/')}/read/{quote(doc_id, safe=':/')}"
            f"?u={user.pseudonym}&e={expires}&s={signature}")


def with_addresses(app: Flask, user: User, items: list[dict]) -> list[dict]:
    """The items (cards, search results, feed items) each with an address to open."""
    for item in items:
        if not item.get("url"):
            item["url"] = read_link(app, user, item["id"])
    return items


def reader(app: Flask, db: Session, doc_id: str, args) -> tuple[User, SearchHit]:
    """Who the link was made for and the document, or ApiError: a link that was changed (403),
    has ended (410), or names a document the person may not see now (404)."""
    pseudonym, expires, signature = args.get("u", ""), args.get("e", ""), args.get("s", "")
    if not expires.isdecimal() or len(expires) > 12 or not hmac.compare_digest(
            _sign(app, doc_id, pseudonym, int(expires)).encode(), signature.encode()):
        raise ApiError("invalid_link", "This link was changed or is incomplete. Open the item "
                       "from the side panel again.", 403)
    if int(expires) < time.time():
        raise ApiError("link_expired", "This link has ended. Open the item from the side panel "
                       "again for a new one.", 410)
    user = db.scalar(select(User).where(User.pseudonym == pseudonym, User.active.is_(True)))
    hit = index_of(app).get(doc_id, user.memberships()) if user is not None else None
    if hit is None:
        raise ApiError("not_found", "This item is no longer in the library, or not for you.",
                       404)
    return user, hit


def _sign(app: Flask, doc_id: str, pseudonym: str, expires: int) -> str:
    message = f"read|{doc_id}|{pseudonym}|{expires}".encode()
    return hmac.new(app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()[:32]
