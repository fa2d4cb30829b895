"""Every refusal of the API as JSON in one shape, {"error": {"code", "message"}}: a bad
argument 400, no or a bad token 401, another förbund's figures 403, an unknown förbund or
round (or one not published) 404, too many calls 429 with Retry-After. Never an HTML page
and never a 500 for anything a caller can send."""

from __future__ import annotations

from typing import Any

from flask import Response
from werkzeug.exceptions import HTTPException

from survey.errors import ApiDenied, ExportRefused, NotFound, StorageUnavailable
from survey.results.publication import NotPublished
from survey.web.json_errors import HTTP_CODES, error, http_refusal


def _refused(exc: ExportRefused) -> Response:
    """Rows nobody can have: none match the filter (404), or the rounds chosen were asked
    with versions whose statements differ (409: choose one version)."""
    if getattr(exc, "reason", None) == "no_match":
        return error("no_match", str(exc), 404)
    return error("refused", str(exc), 409)


def register(blueprint: Any) -> None:
    """On the API's blueprint: every error of a request it routes, its before_request hooks
    and the rate limiter's included (addresses under /api/ that match no operation:
    `json_errors.unrouted`, called by the app's error pages)."""
    blueprint.register_error_handler(HTTPException, http_refusal)
    for status in HTTP_CODES:  # ahead of the app's pages for these codes
        blueprint.register_error_handler(status, http_refusal)
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
