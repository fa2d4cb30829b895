"""The read-only API (/api/v1): flask-smorest documents the operations of
survey/web/api/routes.py as OpenAPI 3.1 from their marshmallow schemas; the document is
served at /api/v1/openapi.json and as a readable page at /api/v1/docs (our own template,
nothing from a CDN). Calls are counted per token by the app's rate limiter.

flask-smorest's `Api` would answer every error of the whole app as JSON; here it only
documents, and the API's blueprint answers its own errors (survey/web/api/errors.py), so
the HTML pages keep theirs."""

from __future__ import annotations

import hashlib
from typing import Any

import flask_smorest
from flask import Blueprint, Flask, current_app, jsonify, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from survey.settings import Settings
from survey.web.api import schemas

TITLE = "Samverkansmätaren API"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


class _Api(flask_smorest.Api):
    ERROR_SCHEMA = schemas.Error

    def _register_error_handlers(self) -> None:
        """Nothing app-wide: the API's blueprint answers its own errors."""


docs = Blueprint("api_docs", __name__, url_prefix="/api/v1")


def _token_key() -> str:
    """Calls count per token (its hash, never the token), else per address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()
    return get_remote_address()


def init_api(app: Flask, settings: Settings, limiter: Limiter) -> None:
    from survey.web.api.routes import bp

    api = _Api(
        app,
        spec_kwargs={
            "title": TITLE,
            "version": "1",
            "openapi_version": "3.1.0",
            "security": [{"bearer": []}],
            "info": {
                "description": "Published figures of the survey rounds and, for research "
                "tokens, the recoded respondent rows. Authorization: Bearer <token> (made "
                'on the account page). Errors: {"error": {"code", "message"}}.'
            },
        },
    )
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "a personal API token"}
    )
    limiter.limit(settings.rate_limit_api, key_func=_token_key)(bp)
    limiter.limit(settings.rate_limit_api_address, key_func=get_remote_address)(bp)
    api.register_blueprint(bp)
    app.register_blueprint(docs)
    app.extensions["survey_api"] = api


def _document() -> dict[str, Any]:
    return current_app.extensions["survey_api"].spec.to_dict()


@docs.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document, generated from the code."""
    return jsonify(_document())


@docs.get("/docs")
def page():
    """The document as a page: every operation, its arguments and answers."""
    spec = _document()
    operations = [
        (method.upper(), path, operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
        if method in METHODS
    ]
    return render_template("api/docs.html", spec=spec, operations=operations)
