"""Log-in (password, then a code where the account has two-factor), log-out, setting a
password through a one-time link, and enrolling an authenticator app.

Each view parses the form, calls one service of `survey.accounts.services` and renders;
the services own the units of work, the lock-out and the audit log.
"""

from __future__ import annotations

import datetime as dt
import time

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user

from survey.accounts import services
from survey.db import audit
from survey.errors import (
    AccountLocked,
    AuthenticationFailed,
    PasswordRejected,
    SecondFactorFailed,
)
from survey.web import error_pages, form_text
from survey.web.auth import federated, forms
from survey.web.auth.federated import remember_pending_login
from survey.web.auth.next_page import safe_next
from survey.web.form_text import ControlCharacters, control_characters_text
from survey.web.session import current_principal, current_session_id, start_session
from survey.web.shell import db, federation

bp = Blueprint("auth", __name__)

#: Seconds between the password and the code before the password must be typed again.
PENDING_SECONDS = 300


def _now() -> dt.datetime:
    return audit.utcnow()


@bp.after_request
def no_store(resp):
    # Set-password tokens are in the URL and recovery codes on the page: never cache these
    # pages, never send the address to another site.
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "same-origin"
    return resp


def _after_login(target: str | None):
    return redirect(safe_next(target) or url_for("board.index"))


def _render(template: str, status: int = 200, errors=(), **context):
    config = federation()
    return render_template(
        template,
        errors=list(errors),
        providers=config.providers,
        password_login=config.password_login,
        **context,
    ), status


@bp.errorhandler(ControlCharacters)
def control_characters(exc: ControlCharacters):
    """A control character in a log-in field (survey/web/form_text.py): the form again,
    the message at the field; elsewhere the message page."""
    problems = forms.error(exc.field, control_characters_text(form_text.label(exc.field)))
    if request.endpoint == "auth.login_post":
        email = form_text.shown("email", forms.field("email"))
        return _render("auth/login.html", 400, problems, email=email, next="")
    if request.endpoint == "auth.login_code_post" and _pending() is not None:
        return _render("auth/code.html", 400, problems)
    return error_pages.control_characters_page(exc)


@bp.get("/login")
def login():
    if current_principal() is not None:
        return _after_login(request.args.get("next"))
    return _render("auth/login.html", email="", next=safe_next(request.args.get("next")) or "")


@bp.post("/login")
def login_post():
    if not federation().password_login:
        # Switched off for this installation: the form is not shown and its POST refused
        # (and audited, as every refused log-in is).
        services.refuse_password_login(db(), forms.field("email"), _now())
        return _render("auth/login.html", 403, forms.passwords_off(), email="", next="")
    email, password = forms.field("email"), forms.field("password", strip=False)
    target = safe_next(forms.field("next")) or ""
    shown = {"email": email, "next": target}
    if problems := forms.missing(email=email, password=password):
        return _render("auth/login.html", 400, problems, **shown)
    try:
        step = services.authenticate(db(), email, password, _now())
    except AuthenticationFailed:
        return _render("auth/login.html", 401, forms.wrong_credentials(), **shown)
    except AccountLocked as exc:
        return _render("auth/login.html", 403, forms.locked(exc, "email"), **shown)
    if step.next == services.CODE:
        principal = step.principal
        remember_pending_login(principal.user_id, principal.session_version, target)
        return redirect(url_for("auth.login_code"))
    start_session(step.principal)
    if step.next == services.ENROL:
        return redirect(url_for("auth.two_factor"))
    return _after_login(target)


def _pending() -> dict | None:
    pending = session.get("pending_login")
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return pending


@bp.get("/login/code")
def login_code():
    if _pending() is None:
        return redirect(url_for("auth.login"))
    return _render("auth/code.html")


@bp.post("/login/code")
def login_code_post():
    pending = _pending()
    if pending is None:
        return redirect(url_for("auth.login"))
    code = forms.field("code")
    if problems := forms.missing(code=code):
        return _render("auth/code.html", 400, problems)
    try:
        principal = services.verify_second_factor(db(), pending["user"], code, _now())
    except SecondFactorFailed:
        return _render("auth/code.html", 401, forms.wrong_code())
    except AccountLocked as exc:
        session.pop("pending_login", None)
        return _render("auth/login.html", 403, forms.locked(exc, "email"), email="", next="")
    if principal.session_version != pending["version"]:
        # The password changed between the two steps: start again with the new one.
        session.pop("pending_login", None)
        return redirect(url_for("auth.login"))
    carried = federated.carried_over()
    start_session(principal)
    federated.carry_over(carried)
    if pending.get("provider"):
        session[federated.SESSION_KEY] = pending["provider"]
    return _after_login(pending.get("next"))


@bp.post("/logout")
def logout():
    principal, session_id = current_principal(), current_session_id()
    if principal is not None and session_id is not None:
        services.logout(db(), principal.email, session_id, _now())
    at_provider = federated.logout_at_provider(session.get(federated.SESSION_KEY))
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(at_provider or url_for("auth.login"))


@bp.get("/set-password/<token>")
def set_password(token: str):
    email = services.password_link_email(db(), token, _now())
    return _render("auth/set_password.html", email=email, token=token)


@bp.post("/set-password/<token>")
def set_password_post(token: str):
    email = services.password_link_email(db(), token, _now())
    password, repeat = forms.field("password", strip=False), forms.field("repeat", strip=False)
    shown = {"email": email, "token": token}
    if problems := forms.missing(password=password, repeat=repeat):
        return _render("auth/set_password.html", 400, problems, **shown)
    if password != repeat:
        return _render("auth/set_password.html", 400, forms.passwords_differ(), **shown)
    try:
        services.set_password(db(), token, password, _now())
    except PasswordRejected as exc:
        return _render("auth/set_password.html", 400, forms.password_rejected(exc), **shown)
    # Every session made before is logged out by now, this one too: log in afresh (with
    # the second factor, where the account has one).
    logout_user()
    session.clear()
    flash(_("Your password is set. Log in with it."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/account/two-factor")
def two_factor():
    principal = current_principal()
    assert principal is not None  # the access table lets only signed-in users here
    enrolment = services.enroll_totp(db(), principal.user_id)
    return _render("auth/two_factor.html", enrolment=enrolment, principal=principal)


@bp.post("/account/two-factor")
def two_factor_post():
    principal = current_principal()
    assert principal is not None
    code = forms.field("code")
    problems = forms.missing(code=code)
    if not problems:
        try:
            codes = services.confirm_totp(db(), principal.user_id, code, _now())
        except SecondFactorFailed:
            problems = forms.wrong_code()
        else:
            return _render("auth/recovery_codes.html", codes=codes)
    enrolment = services.enroll_totp(db(), principal.user_id)
    return _render("auth/two_factor.html", 400, problems, enrolment=enrolment, principal=principal)
