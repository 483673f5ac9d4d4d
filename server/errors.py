"""One error type and one handler: every failure answers {"error": code, "message": text}."""

import logging

from flask import Flask, jsonify
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


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return jsonify(error=exc.code, message=exc.message), exc.status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        message = {413: f"request body is larger than {app.config['MAX_CONTENT_LENGTH']} bytes",
                   404: "no such endpoint; see /api/v1 in the README",
                   405: "method not allowed on this endpoint"}.get(status, exc.description)
        return jsonify(error=HTTP_CODES.get(status, "http_error"), message=message), status

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error")  # the trace goes to the log, never to the client
        return jsonify(error="internal", message="something went wrong on our side; it has "
                       "been logged, try again"), 500
