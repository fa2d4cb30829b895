"""Every refusal of the API as JSON in one shape, {"error": {"code", "message"}}: a bad
argument 400, no or a bad token 401, another förbund's figures 403, an unknown förbund or
round (or one not published) 404, too many calls 429 with Retry-After. Never an HTML page
and never a 500 for anything a caller can send."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from survey.errors import ApiDenied, ExportRefused, NotFound, StorageUnavailable
from survey.results.publication import NotPublished

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


def _http(exc: HTTPException) -> Response:
    status = exc.code or 500
    message = _argument_message(exc) or exc.description or exc.name
    headers = {k: v for k, v in (exc.get_headers() or []) if k.lower() == "retry-after"}
    if status == 429 and "Retry-After" not in headers:
        headers["Retry-After"] = "60"
    return error(HTTP_CODES.get(status, "error"), str(message), status, headers)


def _argument_message(exc: HTTPException) -> str | None:
    """webargs' refusal of an argument: which one and why."""
    messages: Any = getattr(exc, "data", {}).get("messages")
    if not messages:
        return None
    parts = []
    for location in messages.values():
        for name, problems in location.items():
            parts.append(f"{name}: {' '.join(str(p) for p in problems)}")
    return "Bad argument. " + "; ".join(parts)


def _refused(exc: ExportRefused) -> Response:
    """Rows nobody can have: none match the filter (404), or the rounds chosen were asked
    with versions whose statements differ (409: choose one version)."""
    if getattr(exc, "reason", None) == "no_match":
        return error("no_match", str(exc), 404)
    return error("refused", str(exc), 409)


def register(blueprint: Any) -> None:
    """On the API's blueprint (every error of a request it routes, its before_request hooks
    and the rate limiter's included) and, for addresses under /api/ that match no operation,
    on the app ahead of the HTML error pages."""
    blueprint.register_error_handler(HTTPException, _http)
    for status in HTTP_CODES:  # ahead of the app's pages for these codes
        blueprint.register_error_handler(status, _http)
    blueprint.register_error_handler(ApiDenied, lambda exc: error(exc.code, str(exc), exc.status))
    blueprint.register_error_handler(NotFound, lambda exc: error("not_found", str(exc), 404))
    blueprint.register_error_handler(
        NotPublished,
        lambda exc: error(
            "not_published", f"Round {exc.history.round.label} has no published figures.", 404
        ),
    )
    blueprint.register_error_handler(ExportRefused, _refused)
    blueprint.register_error_handler(
        StorageUnavailable,
        lambda exc: error("unavailable", "The database cannot answer now; try again.", 503),
    )


def unrouted(exc: HTTPException) -> Response | None:
    """An /api/ address without an operation (404, 405): JSON; elsewhere None."""
    if request.path.startswith(PREFIX):
        return _http(exc)
    return None
