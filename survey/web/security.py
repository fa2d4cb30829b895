"""Headers every response carries, and the limits on what a request may send."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, has_app_context, make_response, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

from survey.web.form_text import refuse_control_characters


def _provider_origins() -> tuple[str, ...]:
    if not has_app_context() or "survey_federation" not in current_app.extensions:
        return ()
    return current_app.extensions["survey_federation"].origins()


def content_security_policy(inline_styles: bool = False) -> str:
    """Everything from the app itself: no inline script, no inline event handlers, no eval
    (the board's figures travel as `<script type="application/json">`, read by
    static/board.js), no plugins, no framing, forms only to the app.

    `inline_styles` for the pages that draw charts, and only for styles: plotly.js lays out
    its charts by setting style attributes and injecting a <style> element for its toolbar
    and tooltips, which `style-src 'self'` blocks (the charts break and the console fills
    with violations). Inline styles cannot run code, so the script rules keep their
    strength; every other page (the respondent's above all) gets `style-src 'self'`.
    `data:` and `blob:` images: Plotly renders the SVG to an image for the PNG download.
    Forms may lead to the configured identity providers too (instance/federation.yaml): the
    log-out form ends at the provider's log-out, and browsers apply form-action to redirects.
    """
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'" if inline_styles else "style-src 'self'",
            "img-src 'self' data: blob:",
            "object-src 'none'",
            "base-uri 'self'",
            " ".join(("form-action 'self'", *_provider_origins())),
            "frame-ancestors 'none'",
        )
    )


HEADERS = {
    "Content-Security-Policy": content_security_policy(),
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    # A respondent's token is in the address: never send it to another site. Not
    # "no-referrer": Flask-WTF refuses HTTPS posts that carry no same-origin Referer.
    "Referrer-Policy": "same-origin",
}

#: Only over HTTPS: a browser ignores HSTS on plain HTTP, and a local `survey serve` on
#: http://127.0.0.1 must not teach a browser to insist on HTTPS there.
HSTS = "max-age=31536000; includeSubDomains"

URLENCODED = "application/x-www-form-urlencoded"


def init_security(app: Flask) -> None:
    """Register the header hook, the form-field cap and the control-character guard
    (survey/web/form_text.py); call before CSRFProtect.init_app so the cap runs before the
    CSRF check parses the form."""
    app.before_request(_refuse_too_many_fields)
    app.before_request(refuse_control_characters)
    app.after_request(_security_headers)


def _refuse_too_many_fields() -> None:
    """MAX_FORM_PARTS for url-encoded forms too (Werkzeug applies it to multipart only),
    counted on the raw body: a form of 60,000 fields is refused without parsing it."""
    if request.mimetype != URLENCODED:
        return
    limit = current_app.config.get("MAX_FORM_PARTS")
    # get_data(cache=True) keeps the body for the form parser (MAX_CONTENT_LENGTH bounds it).
    if limit is not None and request.get_data(cache=True).count(b"&") >= limit:
        raise RequestEntityTooLarge()


def draws_charts(view: Callable[..., ResponseReturnValue]) -> Callable[..., Response]:
    """A view whose page plotly.js draws on: its response allows inline styles (set here,
    before the app-wide hook, which then leaves the header alone)."""

    @functools.wraps(view)
    def with_chart_styles(*args: Any, **kwargs: Any) -> Response:
        response = make_response(view(*args, **kwargs))
        response.headers["Content-Security-Policy"] = content_security_policy(inline_styles=True)
        return response

    return with_chart_styles


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response
