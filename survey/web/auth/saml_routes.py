"""SAML 2.0 log-in and single logout: our SP metadata, the start (a signed AuthnRequest to
the IdP), the assertion consumer service (the IdP's answer checked by
survey.federation.saml, then survey/web/auth/federated.py logs the person in) and the
single logout service. Every refusal is in the audit log (`refused`)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import logout_user
from werkzeug.wrappers import Response

from survey.accounts import services
from survey.errors import FederatedLoginRefused
from survey.federation.saml import login as saml_login
from survey.federation.saml import logout
from survey.federation.saml.metadata import MetadataError
from survey.federation.saml.providers import SamlProvider
from survey.federation.saml.sp import PATHS
from survey.web.auth import saml_state
from survey.web.auth.federated import complete_federated_login, provider_or_refuse, refused
from survey.web.auth.next_page import safe_next
from survey.web.session import current_principal, current_session_id
from survey.web.shell import db

bp = Blueprint("saml", __name__)


@bp.record_once
def _providers_at_start(state) -> None:
    """The SAML providers' settings checked when the app starts (a fault in instance/
    federation.yaml stops it with the place), not at someone's first log-in."""
    saml_state.start(state.app)


@bp.after_request
def no_store(resp):
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "same-origin"
    return resp


def _ready(provider_id: str) -> SamlProvider:
    provider = provider_or_refuse(provider_id, "saml")
    try:
        ready = saml_state.providers().get(provider.id, saml_state.now())
    except MetadataError as exc:
        raise refused(provider.id, FederatedLoginRefused("unavailable", str(exc))) from None
    if ready is None:
        raise FederatedLoginRefused("unknown_provider", provider_id[:64])
    return ready


@bp.get(PATHS["metadata"])
def metadata():
    """Our SP metadata, signed: what a federation (Sambi, Sweden Connect) registers."""
    if not any(p.kind == "saml" for p in saml_state.providers().config.providers):
        abort(404)
    xml = saml_state.providers().service_provider().metadata_xml()
    return Response(xml, mimetype="application/samlmetadata+xml")


@bp.get("/login/saml/<provider_id>")
def start(provider_id: str):
    ready = _ready(provider_id)
    started = saml_login.begin(
        saml_state.providers().service_provider(), ready.idp, ready.settings, relay=""
    )
    response = redirect(started.redirect_url)
    target = safe_next(request.args.get("next")) or ""
    saml_state.remember_request(response, ready.provider.id, started.request_id, target)
    return response


@bp.post(PATHS["acs"])
def acs():
    pending = saml_state.pending_request()
    if pending is None:
        # Started in another browser, more than 10 minutes ago, or not by us at all.
        raise refused("-", FederatedLoginRefused("protocol", "no log-in was started here"))
    ready = _ready(str(pending.get("provider")))
    try:
        done = saml_login.consume(
            db(),
            saml_state.providers().service_provider(),
            ready.idp,
            ready.provider,
            ready.settings,
            request.form.get("SAMLResponse", ""),
            pending.get("id"),
            saml_state.now(),
        )
    except FederatedLoginRefused as exc:
        raise refused(ready.provider.id, exc) from None
    response = complete_federated_login(ready.provider, done.claims, pending.get("next", ""))
    saml_state.remember_login(ready.provider.id, done)
    saml_state.forget_request(response)
    return response


@bp.get("/auth/saml/logout")
def logout_at_idp():
    """After our log-out: on to the IdP's single logout with our signed LogoutRequest."""
    destination = saml_state.logout_destination(request.args.get("to", ""))
    if destination is None:
        return redirect(url_for("auth.login"))
    return render_template("auth/saml_logout.html", destination=destination, errors=[])


@bp.get(PATHS["slo"])
def slo():
    """The IdP's answer to our LogoutRequest, or its own LogoutRequest (the person logged
    out of another service in the federation)."""
    query = request.args.to_dict()
    if "SAMLResponse" in query:
        ready = _ready(query.get("RelayState", "-"))
        try:
            everywhere = logout.finished(saml_state.providers().service_provider(), ready, query)
        except FederatedLoginRefused as exc:
            raise refused(ready.provider.id, exc) from None
        if everywhere:
            flash(_("You are logged out here and at your organisation's log-in."), "info")
        return redirect(url_for("auth.login"))
    if "SAMLRequest" not in query:
        abort(400)
    ready = saml_state.providers().by_entity_id(
        logout.issuer(query["SAMLRequest"]), saml_state.now()
    )
    if ready is None:
        raise FederatedLoginRefused("unknown_provider", "a LogoutRequest from an unknown IdP")
    try:
        asked = logout.answer(saml_state.providers().service_provider(), ready, query)
    except FederatedLoginRefused as exc:
        raise refused(ready.provider.id, exc) from None
    ended = logout.end_sessions(db(), ready, asked.name_id, saml_state.now())
    known = session.get(saml_state.SESSION_KEY)
    if isinstance(known, dict) and known.get("name_id") == asked.name_id:
        principal, session_id = current_principal(), current_session_id()
        if not ended and principal is not None and session_id is not None:
            services.logout(db(), principal.email, session_id, saml_state.now())
        logout_user()
        session.clear()
    return redirect(asked.redirect.url)
