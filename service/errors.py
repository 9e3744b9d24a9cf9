"""The one place that renders errors: every failure becomes {"error": {status, code, message}}."""
from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from models.errors import NewsroomError

log = logging.getLogger(__name__)

# Stable codes for the HTTP errors Flask/werkzeug raise before our code runs.
_HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type",
    429: "rate_limited",
}


def error_response(status: int, code: str, message: str, headers: dict | None = None):
    """Build the JSON error response with the one error shape."""
    resp = jsonify({"error": {"status": status, "code": code, "message": message}})
    resp.status_code = status
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def register(app: Flask) -> None:
    """Install the handlers that map every exception to the error shape."""

    @app.errorhandler(NewsroomError)
    def _newsroom(exc: NewsroomError):
        headers = getattr(exc, "headers", None)
        return error_response(exc.status, exc.code, exc.message, headers)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        message = exc.description or exc.name
        if status == 413:
            message = (f"request body is larger than the limit of "
                       f"{app.config['MAX_CONTENT_LENGTH']} bytes")
        return error_response(status, _HTTP_CODES.get(status, "http_error"), message)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return error_response(500, "internal_error", "the service failed on this request; "
                              "it has been logged")
