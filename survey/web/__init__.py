"""The thin web shell: builds the app's web side (CSRF, language, error pages) and
registers the blueprints. What the blueprints share is in `survey.web.shell`, which they
import instead of this package."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from survey.disclosure import too_few
from survey.settings import Settings
from survey.web import params
from survey.web.assets import init_assets
from survey.web.health import init_health
from survey.web.logs import mask_request_logs
from survey.web.security import init_security
from survey.web.shell import (
    LANGUAGES,
    decimal,
    interval,
    lang,
    lang_url,
    localized,
    select_locale,
)

csrf = CSRFProtect()
babel = Babel()


def init_web(app: Flask) -> None:
    mask_request_logs()

    @app.teardown_appcontext
    def close_db(_exc: BaseException | None) -> None:
        session_ = g.pop("db", None)
        if session_ is not None:
            session_.close()

    app.url_value_preprocessor(params.clean_path)
    init_security(app)  # first: its form-field cap runs before the CSRF check reads the form
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent.parent / "translations"),
    )
    app.jinja_env.filters.update(decimal=decimal, interval=interval)
    app.jinja_env.globals.update(
        localized=localized, lang=lang, lang_url=lang_url, LANGUAGES=LANGUAGES
    )
    app.jinja_env.globals["too_few"] = lambda k: too_few(lang(), k)

    from survey.web import error_pages
    from survey.web.admin import bp as admin
    from survey.web.auth.oidc_routes import bp as oidc
    from survey.web.auth.routes import bp as auth
    from survey.web.board.routes import bp as board
    from survey.web.downloads.routes import bp as downloads
    from survey.web.info.routes import bp as info
    from survey.web.respond.routes import bp as respond
    from survey.web.session import init_login
    from survey.web.throttle import init_limiter

    for blueprint in (respond, board, downloads, auth, oidc, admin, info):
        app.register_blueprint(blueprint)
    init_limiter(app, settings_of(app), login=auth, respond=respond)

    init_assets(app)
    init_health(app)
    error_pages.refuse_a_database_behind_the_code(app)
    init_login(app)  # after the schema check: the log-in reads the users' table
    from survey.web.access import enforce

    app.before_request(enforce)  # after the two-factor gate: enrolment comes first
    error_pages.register(app)


def settings_of(app: Flask) -> Settings:
    return app.extensions["survey"]
