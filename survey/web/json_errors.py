"""Refusals as JSON in the API's one shape, {"error": {"code", "message"}}: used by the
API's blueprint (survey/web/api/errors.py) and by the app's error pages for addresses under
/api/ that match no operation, so a script never gets an HTML page."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

PREFIX = "/api/"
#: Stable codes of the HTTP refusals (the domain's own come with their errors).
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    429: "too_many_requests",
}


def error(code: str, message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def http_refusal(exc: HTTPException) -> Response:
    status = exc.code or 500
    message = argument_message(exc) or exc.description or exc.name
    headers = {k: v for k, v in (exc.get_headers() or []) if k.lower() == "retry-after"}
    if status == 429 and "Retry-After" not in headers:
        headers["Retry-After"] = "60"
    return error(HTTP_CODES.get(status, "error"), str(message), status, headers)


def argument_message(exc: HTTPException) -> str | None:
    """webargs' refusal of an argument: which one and why."""
    messages: Any = getattr(exc, "data", {}).get("messages")
    if not messages:
        return None
    parts = []
    for location in messages.values():
        for name, problems in location.items():
            parts.append(f"{name}: {' '.join(str(p) for p in problems)}")
    return "Bad argument. " + "; ".join(parts)


def unrouted(exc: HTTPException) -> Response | None:
    """An /api/ address without an operation (404, 405): JSON; elsewhere None."""
    if request.path.startswith(PREFIX):
        return http_refusal(exc)
    return None
