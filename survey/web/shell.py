"""What every blueprint shares, in one module they all import (never each other, nor
`survey.web`, which registers them): the request's database session, the settings, the
page's language, the error message a form shows, and the number filters of the templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import current_app, g, request, session
from flask_babel import get_locale
from sqlalchemy.orm import Session

from survey.federation.config import FederationConfig
from survey.results.rounding import formatted, interval_text
from survey.results.uncertainty import Difference
from survey.settings import Settings

LANGUAGES = ("sv", "en")


def settings() -> Settings:
    return current_app.extensions["survey"]


def federation() -> FederationConfig:
    """The installation's identity providers and password switch (instance/federation.yaml)."""
    return current_app.extensions["survey_federation"]


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


def lang_url(code: str) -> str:
    """This page in another language: the same path and query (the chosen round, peers…)."""
    kept = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return f"{request.path}?{urlencode([*kept, ('lang', code)])}"


def localized(text: dict[str, str] | None) -> str:
    """Pick the current language from a questionnaire text map."""
    if not text:
        return ""
    return text.get(lang()) or text.get("sv") or next(iter(text.values()))


@dataclass(frozen=True)
class ErrorMessage:
    """One problem of a refused form, as its error summary lists it."""

    field: str
    anchor: str | None  # id of the input to jump to, if the page has one
    text: str


def decimal(value: float) -> str:
    """Template filter: two decimals, half away from zero, a decimal comma in Swedish."""
    return formatted(value, lang())


def interval(value: Difference) -> str:
    """Template filter: a change with its 95 % interval, in the page's language."""
    return interval_text(value, lang())
