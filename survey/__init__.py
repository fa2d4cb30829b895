"""Samverkansmätaren: a self-assessment survey of integrated collaboration in samordningsförbund."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from survey import settings


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

    app.config.from_mapping(
        DATABASE_URL=settings.database_url(app.instance_path),
        MIN_GROUP_SIZE=os.environ.get("MIN_GROUP_SIZE", settings.DEFAULT_MIN_GROUP_SIZE),
        QUESTIONNAIRE_DIR=str(settings.questionnaire_dir()),
        BABEL_DEFAULT_LOCALE="sv",
        # Respondents may leave a page open for a long lunch; a stale form is still refused
        # with a clear message and the answers already saved stay saved.
        WTF_CSRF_TIME_LIMIT=8 * 3600,
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.secret_key(app.instance_path)
    app.config["MIN_GROUP_SIZE"] = settings.min_group_size(app.config["MIN_GROUP_SIZE"])

    from survey.web import init_web

    init_web(app)

    from survey.cli import register_commands

    register_commands(app)
    return app
