"""The JSON API under /api/v1 and the health check. Views parse, call a service, answer."""

from flask import Blueprint, current_app, g, jsonify, request

from . import db, feedback
from .auth import require_token
from .errors import ApiError
from .models import ACTIONS
from .services import engine_of, health
from .validation import expect_object, parse_context, parse_limit, reject_unknown, string

api = Blueprint("api", __name__, url_prefix="/api/v1")
root = Blueprint("root", __name__)


def json_body() -> dict:
    if not request.is_json:
        raise ApiError("invalid_json", "send JSON with 'Content-Type: application/json'", 415)
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError("invalid_json", "the request body is not valid JSON")
    return expect_object(body)


@root.get("/healthz")
def healthz():
    report = health(current_app)
    return jsonify(report), 200 if report["status"] != "down" else 503


@api.get("/me")
@require_token
def me():
    """Who the token belongs to: the extension checks its connection with this."""
    return jsonify({"name": g.user.name, "role": g.user.role})


@api.post("/suggestions")
@require_token
def suggestions():
    body = json_body()
    reject_unknown(body, {"context", "limit"}, "request body")
    if "context" not in body:
        raise ApiError("missing_field", "context is required: {\"context\": {\"title\": ...}}")
    context = parse_context(body["context"])
    limit = parse_limit(body, current_app.config["SUGGESTION_LIMIT"],
                        current_app.config["MAX_SUGGESTION_LIMIT"])
    session = db.session()
    result = engine_of(current_app).suggest(
        context, limit=limit, suppressed=feedback.suppressed(session, g.user.id))
    feedback.record_event(session, g.user.id, result)
    return jsonify(result.to_dict())


@api.post("/feedback")
@require_token
def give_feedback():
    body = json_body()
    reject_unknown(body, {"request_id", "content_id", "action"}, "request body")
    request_id = string(body, "request_id", "body", 64, required=True)
    content_id = string(body, "content_id", "body", 500, required=True)
    action = string(body, "action", "body", 20, required=True)
    if action not in ACTIONS:
        raise ApiError("invalid_action", f"action must be one of: {', '.join(ACTIONS)}")
    saved = feedback.record(db.session(), g.user.id, request_id, content_id, action)
    return jsonify({"id": saved.id, "request_id": request_id, "content_id": content_id,
                    "action": action}), 201
