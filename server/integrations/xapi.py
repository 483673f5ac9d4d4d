"""Learning records for the organisation's LRS: xAPI 1.0.3 statements through an outbox.

Off unless JITLEARN_XAPI_ENDPOINT names an LRS. Then every suggestion shown, content opened or
completed, rating and policy acknowledgment becomes a statement, written to `xapi_outbox` in the
same transaction as the event itself (so a crash loses neither or both), and the scheduler's
`xapi` job sends what is due in batches (`POST {endpoint}/statements`, Basic auth,
`X-Experience-API-Version: 1.0.3`), retrying with backoff while the LRS is away. A statement's id
is derived from the event, so sending it twice is harmless: an LRS keeps one statement per id.

The actor is a pseudonymous account (a keyed hash of the user's id), never a name or an email.
docs/integrations.md lists the verbs, activity types and extensions.
"""

import base64
import hashlib
import hmac
import json
import logging
import uuid
from datetime import timedelta
from http.client import HTTPException
from urllib.parse import quote

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.integrations import http
from server.storage.models import XapiOutbox, now

log = logging.getLogger(__name__)
VERSION = "1.0.3"
NAMESPACE = uuid.UUID("7d1c3f0e-5b7a-4c53-9a4e-6a1f0b2f8c11")  # for stable statement ids
# event -> (verb IRI, display): ADL, Activity Streams and tincanapi.com registered verbs
VERBS = {
    "recommended": ("http://activitystrea.ms/schema/1.0/receive", "received"),
    "opened": ("http://adlnet.gov/expapi/verbs/launched", "launched"),
    "completed": ("http://adlnet.gov/expapi/verbs/completed", "completed"),
    "helpful": ("http://id.tincanapi.com/verb/rated", "rated"),
    "not_relevant": ("http://id.tincanapi.com/verb/rated", "rated"),
    "acknowledged": ("http://activitystrea.ms/schema/1.0/acknowledge", "acknowledged"),
}
DOCUMENT = "http://id.tincanapi.com/activitytype/document"
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "video": "https://w3id.org/xapi/video/activity-type/video",
    "event": "http://adlnet.gov/expapi/activities/meeting",
    "expert": "http://adlnet.gov/expapi/activities/link",
    "opportunity": "http://adlnet.gov/expapi/activities/link",
}  # policies, procedures, guides, templates and references are documents
BATCH = 50
MAX_BACKOFF_S = 3600


def enabled(app: Flask) -> bool:
    return bool(app.config["XAPI_ENDPOINT"])


def base(app: Flask) -> str:
    return app.config["PUBLIC_URL"].rstrip("/")


def pseudonym(app: Flask, user_id: int) -> str:
    """The same opaque name for a person in every statement; no way back to them without the
    server's key."""
    key = str(app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"xapi-actor:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


def activity(app: Flask, content_id: str, title: str, kind: str, url: str) -> dict:
    iri = url if url.startswith(("http://", "https://")) else \
        f"{base(app)}/content/{quote(content_id, safe='')}"
    return {"objectType": "Activity", "id": iri,
            "definition": {"type": ACTIVITY_TYPES.get(kind, DOCUMENT),
                           "name": {"en-US": (title or content_id)[:500]}}}


def statement(app: Flask, key: str, event: str, user_id: int, item: dict, when,
              request_id: str, topics: list[str]) -> dict:
    verb, display = VERBS[event]
    out = {"id": str(uuid.uuid5(NAMESPACE, key)), "version": VERSION,
           "actor": {"objectType": "Agent",
                     "account": {"homePage": base(app), "name": pseudonym(app, user_id)}},
           "verb": {"id": verb, "display": {"en-US": display}},
           "object": item,
           "timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
           "context": {"platform": "jitlearn", "language": "en-US", "extensions": {
               f"{base(app)}/xapi/extensions/request": request_id,
               f"{base(app)}/xapi/extensions/topics": topics}}}
    if event in ("helpful", "not_relevant"):
        out["result"] = {"score": {"scaled": 1.0 if event == "helpful" else 0.0}}
    elif event == "completed":
        out["result"] = {"completion": True}
    return out


def for_suggestions(app: Flask, user_id: int, request_id: str, topics: list[str],
                    suggestions) -> list[XapiOutbox]:
    """One "received" statement per suggestion shown."""
    if not enabled(app):
        return []
    when = now()
    return [XapiOutbox(statement_id=s["id"], statement=s) for s in (
        statement(app, f"recommended:{request_id}:{item.id}", "recommended", user_id,
                  activity(app, item.id, item.title, item.type, item.url), when, request_id,
                  topics) for item in suggestions)]


def for_feedback(app: Flask, feedback_id: int, user_id: int, request_id: str, action: str,
                 topics: list[str], hit, content_id: str) -> list[XapiOutbox]:
    """A statement for what the person did, if it is one an LRS records."""
    if not enabled(app) or action not in VERBS:
        return []
    item = activity(app, content_id, hit.title if hit else content_id,
                    hit.type if hit else "", hit.url if hit else "")
    made = statement(app, f"feedback:{feedback_id}", action, user_id, item, now(), request_id,
                     topics)
    return [XapiOutbox(statement_id=made["id"], statement=made)]


# --- delivery ------------------------------------------------------------------------------

class LrsError(Exception):
    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def post(app: Flask, statements: list[dict]) -> None:
    """Send statements to the LRS; LrsError when it did not take them."""
    cfg = app.config
    headers = {"Content-Type": "application/json", "X-Experience-API-Version": VERSION}
    if cfg["XAPI_USERNAME"] or cfg["XAPI_PASSWORD"]:  # no credentials: no empty Basic header
        credentials = base64.b64encode(f"{cfg['XAPI_USERNAME']}:{cfg['XAPI_PASSWORD']}".encode())
        headers["Authorization"] = "Basic " + credentials.decode()
    try:
        answer = http.request(cfg["XAPI_ENDPOINT"].rstrip("/") + "/statements", method="POST",
                              data=json.dumps(statements).encode(), headers=headers,
                              timeout=float(cfg["FETCH_TIMEOUT"]),
                              deadline=float(cfg["FETCH_DEADLINE"]))
    except (http.FetchError, OSError, HTTPException) as exc:  # refused, unreachable, too slow
        raise LrsError(f"unreachable: {exc}") from exc
    if answer.status >= 400:
        detail = answer.body[:300].decode(errors="replace")
        raise LrsError(f"{answer.status}: {detail}", answer.status)


def deliver(app: Flask, db: Session) -> dict:
    """Send what is due, a batch at a time. A batch the LRS refuses as malformed (400) is sent
    one by one so that one bad statement cannot hold back the others; it alone is set aside."""
    counts = {"sent": 0, "retry": 0, "rejected": 0}
    while True:
        due = db.scalars(select(XapiOutbox).where(
            XapiOutbox.sent_at.is_(None), XapiOutbox.rejected.is_(False),
            XapiOutbox.next_attempt_at <= now()).order_by(XapiOutbox.id).limit(BATCH)).all()
        if not due:
            return counts
        try:
            post(app, [row.statement for row in due])
            _sent(due, counts)
        except LrsError as exc:
            if exc.status in (400, 409) and len(due) > 1:
                for row in due:  # find the one the LRS will not take
                    try:
                        post(app, [row.statement])
                        _sent([row], counts)
                    except LrsError as one:
                        _failed(row, one, counts)
            else:
                for row in due:
                    _failed(row, exc, counts)
        db.commit()
        if counts["retry"]:
            return counts  # the LRS is away: the rest waits for the next round


def _sent(rows, counts) -> None:
    for row in rows:
        row.sent_at, row.last_error = now(), ""
        counts["sent"] += 1


def _failed(row, exc: LrsError, counts) -> None:
    row.attempts += 1
    row.last_error = str(exc)[:500]
    if exc.status == 409:  # the LRS already holds a statement with this id: it arrived before
        row.sent_at = now()
        counts["sent"] += 1
    elif exc.status == 400:
        row.rejected = True  # malformed for this LRS: keep it, flagged, for someone to look at
        counts["rejected"] += 1
        log.error("xapi: the LRS refused statement %s: %s", row.statement_id, exc)
    else:
        delay = min(MAX_BACKOFF_S, 10 * 2 ** min(row.attempts, 12))
        row.next_attempt_at = now() + timedelta(seconds=delay)
        counts["retry"] += 1
