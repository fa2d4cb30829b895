"""Who is logged in: Flask-Login wired to the accounts core, the two-factor gate, and the
building block the access table (survey/web/access.py) uses: `current_principal`.

The session cookie names only a random log-in session id; survey/accounts/sessions.py keeps
the session on the server and ends it (log-out, idle, maximum age, password change, role or
user removed), so a copy of the cookie works no longer than the session does.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user

from survey.accounts import sessions
from survey.accounts.access import Principal
from survey.db import audit
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
    """Flask-Login's view of a Principal in one log-in session."""

    def __init__(self, principal: Principal, session_id: str):
        self.principal = principal
        self.session_id = session_id

    def get_id(self) -> str:
        return self.session_id


@login_manager.user_loader
def _load_user(session_id: str) -> LoginUser | None:
    principal = sessions.resume(db(), session_id, audit.utcnow())
    return LoginUser(principal, session_id) if principal else None


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


def start_session(principal: Principal, *, federated_two_factor: bool = False) -> None:
    """Log in on a new session, kept on the server (`federated_two_factor`: an identity
    provider's assurance stood for the second factor)."""
    fresh_session()
    session_id = sessions.start(
        db(), principal.user_id, audit.utcnow(), federated_two_factor=federated_two_factor
    )
    login_user(LoginUser(principal, session_id))


def current_session_id() -> str | None:
    """The log-in session's id (for log-out), or None for anyone not logged in."""
    return current_user.session_id if current_user.is_authenticated else None
