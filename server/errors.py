"""One error type and one handler: every failure answers {"error": code, "message": text}
(a page under /console, SCIM's error body under /scim)."""

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error a client can act on; message says what to do."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type",
              429: "too_many_requests"}


PAGES = ("/console", "/read/")  # paths answered with pages for people, not JSON
CONSOLE_TITLES = {400: "That did not work", 403: "Not for your role",
                  404: "Not found", 405: "Not allowed here", 429: "Too many tries"}


def console_error(status: int, message: str):
    """Console pages answer errors as pages, with the same calm words as the API; a reading
    page's refusal keeps its own words (the link changed, ended, or is not for you)."""
    if status == 403 and not request.path.startswith("/read/"):
        message = "This page is for another role. Ask an admin if you need it."
    elif status == 404 and not request.path.startswith("/read/"):
        message = "There is nothing at this address."
    return render_template("console/error.html", status=status, message=message,
                           title=CONSOLE_TITLES.get(status, "Something went wrong")), status


SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_MEDIA = "application/scim+json"


def scim_error(status: int, message: str, scim_type: str = ""):
    """Under /scim/, errors take SCIM's own shape (RFC 7644 §3.12)."""
    body = {"schemas": [SCIM_ERROR], "status": str(status), "detail": message}
    if scim_type:
        body["scimType"] = scim_type
    answer = jsonify(body)
    answer.status_code, answer.mimetype = status, SCIM_MEDIA
    return answer


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        headers = {"Retry-After": str(exc.retry_after)} if getattr(exc, "retry_after", None) \
            else {}
        if request.path.startswith(PAGES):
            page, status = console_error(exc.status, exc.message)
            return page, status, headers
        if request.path.startswith("/scim/"):
            answer = scim_error(exc.status, exc.message, getattr(exc, "scim_type", ""))
            answer.headers.update(headers)
            return answer
        return jsonify(error=exc.code, message=exc.message), exc.status, headers

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        if request.path.startswith(PAGES):
            return console_error(status, exc.description)
        message = {413: f"request body is larger than {app.config['MAX_CONTENT_LENGTH']} bytes",
                   404: "no such endpoint; see /api/v1 in the README",
                   405: "method not allowed on this endpoint"}.get(status, exc.description)
        allow = [(k, h) for k, h in exc.get_headers() if k == "Allow"]  # on a 405
        if request.path.startswith("/scim/"):
            answer = scim_error(status, message if status != 404 else
                                "no such SCIM endpoint: /scim/v2/Users, /Groups, /Schemas, "
                                "/ResourceTypes, /ServiceProviderConfig")
            answer.headers.extend(allow)
            return answer
        return jsonify(error=HTTP_CODES.get(status, "http_error"), message=message), status, \
            allow

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error")  # the trace goes to the log, never to the client
        if request.path.startswith(PAGES):
            return console_error(500, "Something went wrong on our side; it has been logged.")
        if request.path.startswith("/scim/"):
            return scim_error(500, "something went wrong on our side; it has been logged")
        return jsonify(error="internal", message="something went wrong on our side; it has "
                       "been logged, try again"), 500
