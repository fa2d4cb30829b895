"""Who is logged in: Flask-Login wired to the accounts core, the two-factor gate, and the
building block the access table (survey/web/access.py) uses: `current_principal`.

A session names its user as "id:version". The version is bumped by a password change, so
every session made before no longer finds its user and is logged out.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user

from survey.accounts import services
from survey.accounts.access import Principal
from survey.web.shell import db

F = TypeVar("F", bound=Callable[..., Any])

login_manager = LoginManager()
#: What a session that still has to enrol in two-factor may reach.
ENROLMENT_ENDPOINTS = {
    "auth.two_factor",
    "auth.two_factor_post",
    "auth.logout",
    "static",
    "plotly_js",
}


class LoginUser(UserMixin):
    """Flask-Login's view of a Principal."""

    def __init__(self, principal: Principal):
        self.principal = principal

    def get_id(self) -> str:
        return f"{self.principal.user_id}:{self.principal.session_version}"


@login_manager.user_loader
def _load_user(user_id: str) -> LoginUser | None:
    try:
        uid, version = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    principal = services.load_principal(db(), uid, version)
    return LoginUser(principal) if principal else None


def init_login(app: Flask) -> None:
    """Flask-Login and the two-factor gate; call after the schema check is registered (the
    gate reads the users' table)."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the log-in page says what it is by itself
    # No "remember me" is offered; should one ever be, its cookie is script-proof and
    # not sent along with other sites' requests.
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.before_request(_two_factor_gate)


def _two_factor_gate():
    """A role that needs two-factor and has none may only enrol (or log out)."""
    if request.endpoint in ENROLMENT_ENDPOINTS or request.endpoint is None:
        return None
    principal = current_principal()
    if principal is not None and principal.must_enrol:
        return redirect(url_for("auth.two_factor"))
    return None


def current_principal() -> Principal | None:
    """The logged-in user's Principal, or None for anyone not logged in."""
    if not current_user.is_authenticated:
        return None
    return current_user.principal


def fresh_session() -> None:
    """A new session: whatever the browser had before (a session planted by someone else
    included) is dropped but the language, and a fresh random nonce changes the cookie."""
    language = session.get("lang")
    session.clear()
    session["nonce"] = secrets.token_urlsafe(16)
    if language:
        session["lang"] = language


def start_session(principal: Principal) -> None:
    """Log in on a new session."""
    fresh_session()
    login_user(LoginUser(principal))
