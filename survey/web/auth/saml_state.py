"""What the SAML routes keep between requests, and what log-out needs of them: the app's
SamlProviders, the NameID and session index of a SAML log-in (for single logout), and the
signed cookie naming the AuthnRequest a browser is out at the IdP with.

The request's cookie is separate from the session's because the IdP *posts* the answer
to our ACS from its own site, and the session cookie (SameSite=Lax) is not sent with a
cross-site POST. This one is SameSite=None over HTTPS, HttpOnly, signed, limited to
/auth/saml and 10 minutes: it binds the answer to the browser that asked (no log-in
planted from another browser) and gives pysaml2 the InResponseTo it must match.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, Response, current_app, request, session, url_for
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from survey.db import audit
from survey.federation.saml import logout
from survey.federation.saml.login import SamlLogin
from survey.federation.saml.metadata import MetadataError
from survey.federation.saml.providers import SamlProviders
from survey.web.shell import settings

REQUEST_COOKIE = "saml_request"
REQUEST_SECONDS = 600
#: The session key of a SAML log-in: provider, NameID and the IdP's session index.
SESSION_KEY = "saml_login"


def start(app: Flask) -> None:
    """The providers' settings, checked as the app starts."""
    app.extensions["survey_saml"] = SamlProviders(
        app.extensions["survey_federation"], app.instance_path, app.extensions["survey"].public_url
    )


def providers() -> SamlProviders:
    found: SamlProviders = current_app.extensions["survey_saml"]
    if (
        found.public_url != settings().public_url  # a test server learns its port late
        or found.config is not current_app.extensions["survey_federation"]  # the demo's IdP
    ):
        start(current_app)  # type: ignore[arg-type]
        found = current_app.extensions["survey_saml"]
    return found


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="saml-request")


def remember_request(response: Response, provider_id: str, request_id: str, target: str) -> None:
    secure = settings().https
    response.set_cookie(
        REQUEST_COOKIE,
        _signer().dumps({"provider": provider_id, "id": request_id, "next": target}),
        max_age=REQUEST_SECONDS,
        path="/auth/saml",
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",
    )


def pending_request() -> dict | None:
    raw = request.cookies.get(REQUEST_COOKIE)
    if not raw:
        return None
    try:
        found = _signer().loads(raw, max_age=REQUEST_SECONDS)
    except BadSignature:
        return None
    return found if isinstance(found, dict) else None


def forget_request(response: Response) -> None:
    response.delete_cookie(REQUEST_COOKIE, path="/auth/saml")


def remember_login(provider_id: str, login: SamlLogin) -> None:
    session[SESSION_KEY] = {
        "provider": provider_id,
        "name_id": login.name_id,
        "session_index": login.session_index,
    }


def logout_url(provider_id: str) -> str | None:
    """Where single logout starts for this session's SAML log-in (the IdP, with our signed
    LogoutRequest), or None: not a SAML log-in, or the IdP offers no single logout."""
    known = session.get(SESSION_KEY)
    if not isinstance(known, dict) or known.get("provider") != provider_id:
        return None
    try:
        ready = providers().get(provider_id, audit.utcnow())
    except MetadataError:
        return None
    if ready is None or not ready.idp.single_logout:
        return None
    sent = logout.start(
        providers().service_provider(),
        ready,
        known["name_id"],
        known.get("session_index"),
        relay=provider_id,
    )
    if sent is None:
        return None
    # Not a redirect: browsers apply the pages' CSP form-action to the redirects after the
    # log-out form, and the IdP's single logout address is known only from its metadata.
    # A page of ours sends the browser on (saml_routes.logout_at_idp), the address signed
    # so that the page leads nowhere else.
    return url_for("saml.logout_at_idp", to=_logout_signer().dumps(sent.url))


def _logout_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="saml-logout")


def logout_destination(signed: str) -> str | None:
    """The IdP address a log-out page may send the browser on to, or None (not ours)."""
    try:
        found = _logout_signer().loads(signed)
    except BadSignature:
        return None
    return found if isinstance(found, str) else None


def now() -> dt.datetime:
    return audit.utcnow()
