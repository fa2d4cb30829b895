"""A user's personal API tokens: the list (with expiry and last use), making one for a role
they hold (the token shown once, on the page answering the form, never again) and revoking
one. Each view parses the form, calls one service of survey.accounts.api_tokens, renders."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from survey.accounts import api_tokens
from survey.accounts.access import Principal
from survey.db import audit
from survey.errors import ApiTokenRefused
from survey.i18n import translate
from survey.web.session import current_principal
from survey.web.shell import db, lang

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.after_request
def no_store(response):
    # The new token is on the page that answers the form: never keep it in a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _me() -> Principal:
    principal = current_principal()
    assert principal is not None  # the access table lets only signed-in users here
    return principal


def _page(status: int = 200, *, secret: str | None = None, errors: list[str] | None = None):
    me = _me()
    page = render_template(
        "account/tokens.html",
        tokens=api_tokens.tokens_of(db(), me.user_id),
        choices=api_tokens.scopes_for(db(), me),
        secret=secret,
        errors=errors or [],
        now=audit.utcnow(),
        max_days=api_tokens.MAX_DAYS,
        default_days=api_tokens.DEFAULT_DAYS,
    )
    return page, status


@bp.get("/tokens")
def tokens():
    return _page()


@bp.post("/tokens")
def token_create():
    scope, _sep, forbund = request.form.get("scope", "").partition(":")
    try:
        days = int(request.form.get("days", "") or api_tokens.DEFAULT_DAYS)
    except ValueError:
        days = 0  # refused below with the allowed range
    try:
        issued = api_tokens.issue(
            db(), _me(), request.form.get("name", ""), scope, forbund or None, days, audit.utcnow()
        )
    except ApiTokenRefused as refused:
        return _page(400, errors=[translate(lang(), refused.template, **refused.values)])
    return _page(201, secret=issued.secret)


@bp.post("/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int):
    try:
        api_tokens.revoke(db(), _me(), token_id, audit.utcnow())
    except ApiTokenRefused as refused:
        return _page(404, errors=[translate(lang(), refused.template, **refused.values)])
    return redirect(url_for("account.tokens"), 303)
