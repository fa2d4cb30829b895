"""Rate limits per client address (Flask-Limiter): log-in posts and the respondent pages.

One Limiter per app, so two apps in one process (the tests) never share a count unless
they share a storage: with RATELIMIT_STORAGE_URI pointing at Redis every server process
counts together.
"""

from __future__ import annotations

import time

from flask import Blueprint, Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage

from survey.settings import Settings

#: How often the in-memory counts drop the windows that have ended (inline, in a request).
SWEEP_SECONDS = 60.0


class QuietMemoryStorage(MemoryStorage):
    """`memory://` without a thread per request. The `limits` library's MemoryStorage
    starts a 10 ms `threading.Timer` to drop ended windows on every count it makes while no
    timer runs, i.e. on most requests of a busy server: a thread start each, which waits
    for the new thread to take the GIL (the largest single cost of a respondent's page in
    the profile under load). An ended window is already dropped when its key is read
    (`MemoryStorage.get`); this sweeps the rest inline, at most once a SWEEP_SECONDS."""

    STORAGE_SCHEME = ["survey-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = time.monotonic() + SWEEP_SECONDS

    # MemoryStorage calls its private `__schedule_expiry` (mangled to this name) on every
    # count; overridden here, the library's version pinned in constraints.txt.
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


def storage_uri(configured: str) -> str:
    """The storage Flask-Limiter opens: ours for `memory://`, else as configured (Redis)."""
    return "survey-memory://" if configured.startswith("memory://") else configured


def init_limiter(
    app: Flask, settings: Settings, *, login: Blueprint, respond: Blueprint
) -> Limiter:
    limiter = Limiter(
        key_func=get_remote_address,
        storage_uri=storage_uri(settings.ratelimit_storage_uri),
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
