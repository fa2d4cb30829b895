"""Rate limits per client address (Flask-Limiter): log-in posts and the respondent pages.

One Limiter per app, so two apps in one process (the tests) never share a count unless
they share a storage: with RATELIMIT_STORAGE_URI pointing at Redis every server process
counts together.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from survey.settings import Settings


def init_limiter(
    app: Flask, settings: Settings, *, login: Blueprint, respond: Blueprint
) -> Limiter:
    limiter = Limiter(
        key_func=get_remote_address,
        storage_uri=settings.ratelimit_storage_uri,
        headers_enabled=True,  # Retry-After tells a client how long to wait
        # A storage that fails (Redis down) must not take the survey down with it: count in
        # this process's memory until it is back.
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    limiter.init_app(app)
    # Posts only: reading the log-in page costs nothing; each post is one guess.
    limiter.limit(settings.rate_limit_login, methods=["POST"])(login)
    limiter.limit(settings.rate_limit_respond)(respond)
    # Each board report PDF starts a headless Chromium: a few a minute per address.
    pdf_view = "board.report_pdf"
    app.view_functions[pdf_view] = limiter.limit(settings.rate_limit_pdf)(
        app.view_functions[pdf_view]
    )
    app.extensions["survey_limiter"] = limiter
    return limiter
