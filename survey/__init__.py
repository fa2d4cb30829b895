"""Samverkansmätaren: a self-assessment survey of integrated collaboration in samordningsförbund."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from survey.db.engine import make_engine, session_factory
from survey.federation import config as federation_config
from survey.settings import Settings

#: What one request may send. The largest form (a dimension page: its statements, a comment
#: of at most 2,000 characters and three control fields) is a few kilobytes; anything near
#: these limits is not a respondent's page and is refused before the app reads it.
LIMITS: dict[str, Any] = {
    "MAX_CONTENT_LENGTH": 1024 * 1024,  # 413 for a larger body, before it is read
    "MAX_FORM_PARTS": 200,  # fields per form (Werkzeug counts multipart; survey.web urlencoded)
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Flask app factory. `config` overrides everything (tests pass DATABASE_URL etc.)."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("SURVEY_INSTANCE_PATH") or None,
    )
    overrides = dict(config or {})
    if "INSTANCE_PATH" in overrides:
        app.instance_path = str(overrides.pop("INSTANCE_PATH"))
    os.makedirs(app.instance_path, exist_ok=True)

    settings = Settings.load(app.instance_path, overrides)
    app.config.from_mapping(
        BABEL_DEFAULT_LOCALE="sv",
        # Respondents may leave a page open for a long lunch; a stale form is still refused
        # with a clear message and the answers already saved stay saved.
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        **LIMITS,
        # The session carries the CSRF secret and the links a browser has used: never
        # readable by scripts, not sent on cross-site posts, and only over HTTPS when the
        # app is served over HTTPS (an instance/config.py setting still wins).
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.https,
    )
    app.config.update(settings.flask, SECRET_KEY=settings.secret_key)
    if settings.trusted_proxies:
        # Client address, scheme (so request.is_secure, HSTS and the CSRF referrer check
        # see HTTPS), host and prefix as the proxies report them, trusting only as many
        # X-Forwarded-* entries as there are proxies.
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n
        )
    # The web pages and the command line share one engine; neither sets it up for the other.
    engine = make_engine(settings.database_url)
    app.extensions["survey"] = settings
    app.extensions["survey_engine"] = engine
    app.extensions["survey_sessions"] = session_factory(engine)
    # Identity providers (instance/federation.yaml): a file that cannot be used stops the
    # start with its place and fault, as a questionnaire file does.
    app.extensions["survey_federation"] = federation_config.load(app.instance_path)

    from survey.web import init_web

    init_web(app)

    from survey.cli import register_commands

    register_commands(app)
    return app
