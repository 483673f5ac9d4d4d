"""The JSON API under /api/v1 and the health check. Views parse, call a service, answer."""

import os

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import select

from index import SearchRequest
from server import payload
from server.api.access import MANAGE
from server.api.auth import require_token
from server.api.openapi import (
    ANY_OBJECT,
    BOOL,
    INT,
    LIST_CHANGE,
    NUM,
    STR,
    array,
    nullable,
    obj,
    openapi,
    ref,
    spec,
    text,
)
from server.api.validation import check, context_of, expect_object, query_values
from server.content.reading import with_addresses
from server.content.sources import add_source, describe, remove_source, sync_source
from server.content.tags import bulk, detail, edit, parse_changes
from server.content.versions import versions_of
from server.errors import ApiError
from server.integrations.connect import redeem
from server.people import experts, opportunities
from server.people.gaps import personal
from server.runtime import engine_of, health, index_of, taxonomy_of
from server.storage import db
from server.storage.models import ACTIONS, Source
from server.suggest import feedback
from server.suggest.results import QUIET

api = Blueprint("api", __name__, url_prefix="/api/v1")
root = Blueprint("root", __name__)

CONTENT_DETAIL = {"allOf": [ref("Content"), obj(
    {"skills": array(STR), "tags": array(STR), "language": STR, "provider": STR, "owner": STR,
     "review_by": nullable(STR), "floor": NUM,
     "proposed": obj({"topics": array(obj({"id": STR, "label": STR, "confidence": NUM,
                                           "applied": BOOL, "rejected": BOOL,
                                           "under_floor": BOOL})),
                                                 "skills": array(obj({"name": STR,
                                                                      "confidence": NUM}))}),
     "manual": ANY_OBJECT})]}
# Tag changes: a list field takes a list, {add, remove} or null; see server/content/tags.py.
TAG_CHANGES = obj({}, {"topics": LIST_CHANGE, "skills": LIST_CHANGE, "tags": LIST_CHANGE,
                       "audience": LIST_CHANGE, "type": nullable(STR), "level": nullable(STR),
                       "duration": nullable(INT), "language": nullable(STR),
                       "mandatory": nullable(BOOL), "owner": nullable(STR),
                       "review_by": nullable(STR), "rejected": LIST_CHANGE},
                  closed=True) | {"minProperties": 1}
SUGGESTIONS = obj({"request_id": STR, "opportunities": array(ANY_OBJECT),
                   "experts": array(obj({"user_id": INT, "name": STR, "why": STR,
                                         "evidence": array(STR)})),
                   "topics": array(obj({"id": STR, "label": STR, "weight": NUM,
                                        "evidence": array(STR)})),
                   "suggestions": array(obj({"id": STR, "title": STR, "url": STR, "type": STR,
                                             "summary": STR, "score": NUM,
                                             "reasons": array(STR), "mandatory": BOOL,
                                             "source": STR, "owner": STR, "duration": INT,
                                             "changed": nullable(STR)})),
                   "abstained": nullable(obj({"reason": {"enum": list(QUIET)},
                                              "message": STR}))})


def json_body() -> dict:
    """The request's JSON object, checked against the body its view declares with @spec."""
    if not request.is_json:
        raise ApiError("invalid_json", "send JSON with 'Content-Type: application/json'", 415)
    try:
        body = payload.loads(request.get_data(cache=True))
    except payload.PayloadError as exc:
        raise ApiError("invalid_json", f"the request body: {exc}") from None
    body = expect_object(body)
    declared = declaration()
    if declared is not None and declared.body is not None:
        check(body, declared.body, "request body")
    return body


def query() -> dict:
    """The query parameters the view declares with @spec, typed and checked."""
    declared = declaration()
    return query_values(request.args, declared.query or {}) if declared is not None else {}


def declaration():
    """The @spec of the view answering this request."""
    return getattr(current_app.view_functions.get(request.endpoint), "openapi", None)


@root.get("/healthz")
@spec("Is the service up: database and pipeline checks", errors=(503,),
      ok=obj({"status": STR, "checks": ANY_OBJECT}))
def healthz():
    report = health(current_app)
    return jsonify(report), 200 if report["status"] != "down" else 503


@api.post("/connect")
@spec("The extension trades a one-time connect code and its PKCE verifier for a personal token",
      body=obj({"code": text(100, 1), "code_verifier": text(128, 43),
                "redirect_uri": text(300, 1)}, closed=True),
      ok=obj({"token": STR, "name": STR}), status=201, errors=(400, 413, 415, 429))
def connect_extension():
    body = json_body()
    user, token = redeem(db.session(), body["code"], body["code_verifier"], body["redirect_uri"])
    return jsonify(token=token, name=user.name), 201


@api.get("/openapi.json")
@spec("This document: the API's contract, generated from its routes", ok=ANY_OBJECT)
def openapi_document():
    return jsonify(openapi(current_app))


@api.get("/me")
@spec(ok=obj({"id": INT, "name": STR, "role": STR}))
@require_token
def me():
    """Who the token belongs to: the extension checks its connection with this."""
    return jsonify({"id": g.user.id, "name": g.user.name, "role": g.user.role})


def content_json(hit) -> dict:
    return {"id": hit.id, "title": hit.title, "url": hit.url, "type": hit.type,
            "summary": hit.summary, "topics": hit.topics, "audience": hit.audience,
            "mandatory": hit.mandatory, "level": hit.level, "duration": hit.duration,
            "source": hit.source, "owner": hit.owner,
            "changed": hit.changed.strftime("%Y-%m-%d") if hit.changed else None}


def content_detail(hit) -> dict:
    """Everything about a document, for L&D: effective tags, proposals, manual values."""
    return {**content_json(hit), "skills": hit.skills, "tags": hit.tags,
            "language": hit.language, "provider": hit.provider, "owner": hit.owner,
            "review_by": hit.review_by.strftime("%Y-%m-%d") if hit.review_by else None,
            **detail(current_app, db.session(), hit)}


def viewer_groups() -> set[str] | None:
    """L&D and admins manage all content; everyone else sees what their groups may."""
    return None if g.user.role in MANAGE else g.user.memberships()


@api.get("/stale")
@spec(query={"owner": (text(200), False)}, ok=obj({"stale": array(obj({"id": STR, "title": STR}))}))
@require_token
def stale():
    """What needs review: past its review-by date, or unchanged for STALE_DAYS."""
    owner = query().get("owner") or None
    items = index_of(current_app).stale(int(current_app.config["STALE_DAYS"]), owner)
    return jsonify({"stale": items})


@api.get("/versions/<path:content_id>")
@spec("A policy's recorded versions", errors=(404,), ok=obj({"id": STR, "versions": array(obj(
    {"version": INT, "hash": STR, "title": STR, "recorded_at": STR}))}))
@require_token
def versions(content_id: str):
    if index_of(current_app).get(content_id, viewer_groups()) is None:
        raise ApiError("not_found", f"no content {content_id!r} that you may see", 404)
    return jsonify({"id": content_id, "versions": versions_of(db.session(), content_id)})


@api.get("/content/<path:content_id>")
@spec("One document; L&D and admins also get its tags, proposals and manual values",
      errors=(404,), ok={"anyOf": [CONTENT_DETAIL, ref("Content")]})
@require_token
def content(content_id: str):
    hit = index_of(current_app).get(content_id, viewer_groups())
    if hit is None:
        raise ApiError("not_found", f"no content {content_id!r} that you may see", 404)
    return jsonify(content_detail(hit) if g.user.role in MANAGE else content_json(hit))


@api.patch("/content/<path:content_id>")
@spec(body=TAG_CHANGES, ok=CONTENT_DETAIL, errors=(404, 409, 503))
@require_token
def tag_content(content_id: str):
    """L&D sets tags on one document: see server/content/tags.py for the shape of a change."""
    ix = index_of(current_app)
    if ix.get(content_id) is None:
        raise ApiError("not_found", f"no content {content_id!r}", 404)
    if ix.document(content_id) is None:
        raise ApiError("needs_sync", "this document was indexed by an older version; sync its "
                       "source once, then tag it", 409)
    edit(current_app, db.session(), [content_id], parse_changes(json_body(), taxonomy_of(
        current_app)), g.user.name)
    return jsonify(content_detail(ix.get(content_id)))


@api.post("/content/bulk")
@spec(body=obj({"changes": TAG_CHANGES},
               {"query": nullable(text(500)), "source": nullable(text(500)),
                "type": nullable(text(500)), "topic": nullable(text(500)), "dry_run": BOOL,
                "ids": nullable(array(text(500), 1000) | {"minItems": 1})}, closed=True),
      ok=obj({"matched": INT, "changed": INT, "ids": array(STR), "dry_run": BOOL}), errors=(503,))
@require_token
def bulk_tag():
    """Tag every document a query and filters select (or a list of ids) the same way."""
    return jsonify(bulk(current_app, db.session(), json_body(), g.user.name))


@api.get("/topics")
@spec(ok=obj({"topics": array(obj({"id": STR, "label": STR, "parent": nullable(STR),
                                     "skills": array(STR)}))}))
@require_token
def topics():
    """The taxonomy: topic ids to tag with, their labels, parents and the skills they teach."""
    taxonomy = taxonomy_of(current_app)
    return jsonify({"topics": [{"id": t.id, "label": t.label, "parent": t.parent,
                                "skills": taxonomy.skills(t.id)}
                               for t in taxonomy.topics.values()]})


@api.get("/search")
@spec("Search the content the caller may see",
      query={"q": (text(500, 1), True),
             "limit": ({"type": "integer", "minimum": 1, "maximum": 50}, False)},
      ok=obj({"query": STR, "results": array(ref("Content"))}))
@require_token
def search():
    asked = query()
    words, limit = asked["q"].strip(), asked.get("limit", 10)
    hits = index_of(current_app).search(SearchRequest(
        words=[(w, 1.0) for w in words.split()], fields={"title": 1.0, "headings": 1.0,
                                                          "summary": 1.0, "body": 1.0},
        limit=limit, groups=g.user.memberships()))
    return jsonify({"query": words, "results": with_addresses(
        current_app, g.user, [content_json(h) for h in hits])})


@api.get("/sources")
@spec("Content sources with their last run", ok=obj({"sources": array(ref("Source"))}))
@require_token
def list_sources():
    rows = db.session().scalars(select(Source).order_by(Source.name))
    return jsonify({"sources": [describe(s) for s in rows]})


@api.post("/sources")
@spec("Add a content source", body=obj({"name": text(100, 1), "kind": text(20, 1),
                                      "location": text(2000, 1)},
                                     {"every_minutes": INT, "url_template": text(500)},
                                     closed=True),
      ok=ref("Source"), status=201, errors=(403, 409))
@require_token
def create_source():
    body = json_body()
    source = add_source(db.session(), body["name"], body["kind"], body["location"],
                        body.get("every_minutes", 60),
                        roots=current_app.config["SOURCE_ROOTS"].split(os.pathsep),
                        home=current_app.config["HOME"], actor=g.user.name,
                        url_template=body.get("url_template", ""))
    return jsonify(describe(source)), 201


@api.post("/sources/<name>/sync")
@spec("Sync a source now", ok=ref("Source"), errors=(404, 503))
@require_token
def run_source(name: str):
    return jsonify(describe(sync_source(current_app, db.session(), name, actor=g.user.name)))


@api.delete("/sources/<name>")
@spec("Remove a source and withdraw its documents", errors=(404, 503),
      ok=obj({"removed": STR, "withdrawn": INT}))
@require_token
def delete_source(name: str):
    withdrawn = remove_source(current_app, db.session(), name, actor=g.user.name)
    return jsonify({"removed": name, "withdrawn": withdrawn})


@api.post("/suggestions")
@spec("What to learn for the page the person is on", ok=SUGGESTIONS,
      body=obj({"context": ref("Context")}, {"limit": {"type": "integer", "minimum": 1}},
               closed=True))
@require_token
def suggestions():
    body = json_body()
    context = context_of(body["context"])
    limit, most = body.get("limit", current_app.config["SUGGESTION_LIMIT"]), \
        current_app.config["MAX_SUGGESTION_LIMIT"]
    if limit > most:
        raise ApiError("invalid_limit", f"limit must be a whole number from 1 to {most}")
    session = db.session()
    suppressed, acknowledged = feedback.held_back(session, g.user.id)
    result = engine_of(current_app).suggest(
        context, limit=limit, suppressed=suppressed, groups=g.user.memberships(),
        acknowledged=acknowledged, personal=personal(current_app, session, g.user))
    feedback.record_event(session, g.user.id, result, current_app)
    answer = result.to_dict()
    with_addresses(current_app, g.user, answer["suggestions"])  # every card opens something
    # beside the documents: an opportunity on the page's subject, and colleagues to ask (also
    # when no document this person may see fits); none on a page that is not work
    subject = {t.id: t.weight for t in result.topics} if result.work else {}
    answer["opportunities"] = opportunities.for_page(current_app, session, g.user, subject)
    answer["experts"] = experts.for_page(current_app, session, g.user, subject)
    return jsonify(answer)


@api.post("/feedback")
@spec("What the person did with a suggestion", status=201, errors=(404,),
      body=obj({"request_id": text(64, 1), "content_id": text(500, 1),
                "action": {"enum": list(ACTIONS)}}, closed=True),
      ok=obj({"id": INT, "request_id": STR, "content_id": STR, "action": STR}))
@require_token
def give_feedback():
    body = json_body()
    request_id, content_id, action = body["request_id"], body["content_id"], body["action"]
    saved = feedback.record_action(current_app, db.session(), index_of(current_app), g.user.id,
                                   request_id, content_id, action)
    return jsonify({"id": saved.id, "request_id": request_id, "content_id": content_id,
                    "action": action}), 201
