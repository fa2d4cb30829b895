"""The thin web shell: request-scoped database sessions, language, CSRF, error pages."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g, request, session
from flask_babel import Babel, get_locale
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from survey.disclosure import too_few
from survey.settings import Settings
from survey.web import params
from survey.web.assets import init_assets
from survey.web.board import charts
from survey.web.health import init_health
from survey.web.logs import mask_request_logs
from survey.web.security import init_security

LANGUAGES = ("sv", "en")

csrf = CSRFProtect()
babel = Babel()


def settings() -> Settings:
    return current_app.extensions["survey"]


def db() -> Session:
    """The request's database session, opened on first use and closed at teardown."""
    if "db" not in g:
        g.db = current_app.extensions["survey_sessions"]()
    return g.db


def select_locale() -> str:
    """?lang= (remembered), else the browser's preference, else Swedish."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(LANGUAGES) or "sv"


def lang() -> str:
    return str(get_locale() or "sv")


def localized(text: dict[str, str] | None) -> str:
    """Pick the current language from a questionnaire text map."""
    if not text:
        return ""
    return text.get(lang()) or text.get("sv") or next(iter(text.values()))


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
    app.jinja_env.filters["decimal"] = lambda value: charts.decimal(value, lang())
    app.jinja_env.filters["interval"] = lambda value: charts.interval_text(value, lang())
    app.jinja_env.globals.update(localized=localized, lang=lang, LANGUAGES=LANGUAGES)
    app.jinja_env.globals["too_few"] = lambda k: too_few(lang(), k)

    from survey.web import error_pages
    from survey.web.admin import bp as admin
    from survey.web.auth.routes import bp as auth
    from survey.web.auth.session import init_login
    from survey.web.board.routes import bp as board
    from survey.web.downloads.routes import bp as downloads
    from survey.web.info.routes import bp as info
    from survey.web.respond.routes import bp as respond
    from survey.web.throttle import init_limiter

    for blueprint in (respond, board, downloads, auth, admin, info):
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
