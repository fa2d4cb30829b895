"""Samverkansmätaren: a self-assessment survey of integrated collaboration in samordningsförbund."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from survey.db.engine import make_engine, session_factory
from survey.settings import Settings


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
        # The session cookie is not sent along with other sites' posts (a second line of
        # defence behind CSRF tokens) and not readable by scripts (Flask's default).
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.config.update(settings.flask, SECRET_KEY=settings.secret_key)
    # The web pages and the command line share one engine; neither sets it up for the other.
    engine = make_engine(settings.database_url)
    app.extensions["survey"] = settings
    app.extensions["survey_engine"] = engine
    app.extensions["survey_sessions"] = session_factory(engine)

    from survey.web import init_web

    init_web(app)

    from survey.cli import register_commands

    register_commands(app)
    return app
