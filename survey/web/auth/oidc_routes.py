"""OpenID Connect log-in: the start (to the provider, with state, nonce and a PKCE
challenge) and the callback (the provider's answer checked by survey.federation.oidc, then
survey/web/auth/federated.py logs the person in). Every refusal is in the audit log."""

from __future__ import annotations

import time

from flask import Blueprint, redirect, request, session, url_for

from survey.errors import FederatedLoginRefused
from survey.federation import oidc
from survey.web.auth.federated import complete_federated_login, provider_or_refuse, refused
from survey.web.auth.next_page import safe_next
from survey.web.shell import settings

bp = Blueprint("oidc", __name__)

#: Seconds a person has at the provider before the answer is no longer taken.
REQUEST_SECONDS = 600
SESSION_KEY = "oidc_request"


@bp.after_request
def no_store(resp):
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "same-origin"
    return resp


def _redirect_uri(provider_id: str) -> str:
    """The callback's address as registered with the provider (built on PUBLIC_URL)."""
    return settings().link(url_for("oidc.callback", provider_id=provider_id))


@bp.get("/login/oidc/<provider_id>")
def start(provider_id: str):
    provider = provider_or_refuse(provider_id, "oidc")
    try:
        sent = oidc.authorization_request(provider, _redirect_uri(provider.id))
    except FederatedLoginRefused as exc:
        raise refused(provider.id, exc) from None
    session[SESSION_KEY] = {
        "provider": provider.id,
        "state": sent.state,
        "nonce": sent.nonce,
        "verifier": sent.code_verifier,
        "next": safe_next(request.args.get("next")) or "",
        "at": int(time.time()),
    }
    return redirect(sent.url)


@bp.get("/login/oidc/<provider_id>/callback")
def callback(provider_id: str):
    provider = provider_or_refuse(provider_id, "oidc")
    pending = session.pop(SESSION_KEY, None)
    try:
        if (
            not isinstance(pending, dict)
            or pending.get("provider") != provider.id
            or time.time() - pending.get("at", 0) > REQUEST_SECONDS
        ):
            raise FederatedLoginRefused("protocol", "no log-in was started in this browser")
        sent = oidc.AuthRequest("", pending["state"], pending["nonce"], pending["verifier"])
        claims = oidc.claims_from_answer(
            provider, request.args.to_dict(), sent, _redirect_uri(provider.id)
        )
    except FederatedLoginRefused as exc:
        raise refused(provider.id, exc) from None
    return complete_federated_login(provider, claims, pending.get("next", ""))
