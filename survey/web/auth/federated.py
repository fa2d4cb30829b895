"""The end of every federated log-in, whatever the protocol: the protocol's routes
(survey/web/auth/oidc_routes.py, the SAML ones) check the provider's answer, then call
`complete_federated_login`, which calls the linking service and starts the log-in session
exactly as the password log-in does (server-side session, Flask-Login), or sends the person
to our TOTP step when the provider's assurance does not count as two factors and the
account has an authenticator (or to enrolment when their role needs one).

Each protocol's blueprint is named after its kind (`oidc`, `saml`) and has a `start`
endpoint taking `provider_id`: the log-in page links to it for each configured provider.
Refusals are FederatedLoginRefused, worded on one page by survey/web/error_pages.py.
"""

from __future__ import annotations

import dataclasses
import time

from flask import redirect, session, url_for
from werkzeug.wrappers import Response

from survey.db import audit
from survey.errors import FederatedLoginRefused
from survey.federation import linking, oidc
from survey.federation.config import Provider
from survey.federation.linking import FederatedClaims
from survey.web.auth.next_page import safe_next
from survey.web.session import fresh_session, start_session
from survey.web.shell import db, federation, settings

#: The session key naming the provider of this log-in (for log-out at the provider).
SESSION_KEY = "federated_provider"


def provider_or_refuse(provider_id: str, kind: str) -> Provider:
    """The configured provider of this kind, or a refusal (an old or edited address)."""
    provider = federation().provider(provider_id)
    if provider is None or provider.kind != kind:
        raise FederatedLoginRefused("unknown_provider", provider_id[:64])
    return provider


def remember_pending_login(user_id: int, version: int, target: str, provider_id: str = "") -> None:
    """Not logged in yet: the session only remembers, briefly, who passed the first step
    (the password, or a provider without two-factor assurance); the code step finishes."""
    fresh_session()
    session["pending_login"] = {
        "user": user_id,
        "version": version,
        "at": int(time.time()),
        "next": target,
        "provider": provider_id,
    }


def complete_federated_login(
    provider: Provider, claims: FederatedClaims, target: str = ""
) -> Response:
    """Log in the user the provider's claims identify; raises FederatedLoginRefused (the
    service has written it to the audit log)."""
    step = linking.federated_login(db(), provider, claims, audit.utcnow())
    target = safe_next(target) or ""
    if step.next == linking.CODE:
        principal = step.principal
        remember_pending_login(principal.user_id, principal.session_version, target, provider.id)
        return redirect(url_for("auth.login_code"))
    principal = dataclasses.replace(step.principal, federated_two_factor=step.two_factor)
    start_session(principal, federated_two_factor=step.two_factor)
    session[SESSION_KEY] = provider.id
    if step.next == linking.ENROL:
        return redirect(url_for("auth.two_factor"))
    return redirect(safe_next(target) or url_for("board.index"))


def logout_at_provider(provider_id: str | None) -> str | None:
    """Where to send the browser so the provider ends its session too (it sends the
    person back to our log-in page), or None."""
    provider = federation().provider(provider_id) if provider_id else None
    if provider is None:
        return None
    if provider.kind == "oidc":
        return oidc.logout_url(provider, settings().link(url_for("auth.login")))
    return None


def refused(provider_id: str, error: FederatedLoginRefused) -> FederatedLoginRefused:
    """A refusal of the protocol's checks, into the audit log; returned to be raised."""
    linking.record_refusal(db(), provider_id, error, audit.utcnow())
    return error
