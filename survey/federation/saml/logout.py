"""Single logout (HTTP-Redirect binding), where the IdP's metadata offers it.

We start it: after our own log-out, a signed LogoutRequest for the NameID and session index
the log-in gave sends the browser to the IdP, which ends its session and the other SPs'
and answers with a LogoutResponse (`finished`). The IdP starts it (the person logged out
of another service): its LogoutRequest must carry a valid signature by the pinned key; we
end our session of that NameID and answer with a signed LogoutResponse (`answer`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree
from saml2 import BINDING_HTTP_REDIRECT
from saml2.ident import code, decode
from saml2.s_utils import decode_base64_and_inflate, success_status_factory
from saml2.sigver import verify_redirect_signature
from saml2.xmldsig import SIG_RSA_SHA256
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.accounts import sessions
from survey.db import audit
from survey.db.engine import transaction
from survey.db.models import FederatedIdentity, User
from survey.errors import FederatedLoginRefused
from survey.federation.saml.providers import SamlProvider
from survey.federation.saml.sp import ServiceProvider


@dataclass(frozen=True)
class Redirect:
    url: str
    request_id: str = ""


@dataclass(frozen=True)
class IdpLogout:
    name_id: str  # pysaml2's text form, as SamlLogin.name_id
    redirect: Redirect  # our LogoutResponse to the IdP


def _slo_location(client, entity_id: str) -> str | None:
    places = client.metadata.single_logout_service(entity_id, BINDING_HTTP_REDIRECT, "idpsso")
    return places[0]["location"] if places else None


def start(
    sp: ServiceProvider,
    ready: SamlProvider,
    name_id: str,
    session_index: str | None,
    relay: str = "",
) -> Redirect | None:
    """The browser's way to the IdP with our signed LogoutRequest, or None where the IdP
    offers no single logout over HTTP-Redirect. `relay` comes back with the IdP's answer
    (the provider's id: our session, and with it the provider, has ended by then)."""
    client = sp.client(ready.idp, ready.settings.clock_skew_seconds)
    destination = _slo_location(client, ready.idp.entity_id)
    if destination is None:
        return None
    request_id, request = client.create_logout_request(
        destination,
        ready.idp.entity_id,
        name_id=decode(name_id),
        session_indexes=[session_index] if session_index else None,
        sign=False,  # the Redirect binding signs the query instead
    )
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT, str(request), destination, relay, sign=True, sigalg=SIG_RSA_SHA256
    )
    return Redirect(dict(info["headers"])["Location"], request_id)


def _verified(client, entity_id: str, query: Mapping[str, str], kind: str) -> None:
    """The Redirect binding's signature over the query, by one of the IdP's (pinned)
    signing certificates; a message without one is refused."""
    message = {k: query[k] for k in (kind, "SigAlg", "Signature", "RelayState") if k in query}
    if "SigAlg" not in message or "Signature" not in message:
        raise FederatedLoginRefused("protocol", f"unsigned {kind}")
    certs = client.metadata.certs(entity_id, "idpsso", "signing")
    try:
        good = any(verify_redirect_signature(message, client.sec.sec_backend, c) for _n, c in certs)
    except Exception as exc:  # noqa: BLE001 - pysaml2's faults of a bad signature vary
        raise FederatedLoginRefused("protocol", f"{kind}: {type(exc).__name__}: {exc}") from None
    if not good:
        raise FederatedLoginRefused("protocol", f"{kind} signature does not hold")


def finished(sp: ServiceProvider, ready: SamlProvider, query: Mapping[str, str]) -> bool:
    """The IdP's LogoutResponse to our request: True where it logged the person out."""
    client = sp.client(ready.idp, ready.settings.clock_skew_seconds)
    _verified(client, ready.idp.entity_id, query, "SAMLResponse")
    try:
        response = client.parse_logout_request_response(
            query["SAMLResponse"], BINDING_HTTP_REDIRECT
        )
    except Exception as exc:  # noqa: BLE001
        raise FederatedLoginRefused("protocol", f"{type(exc).__name__}: {exc}") from None
    return response is not None and response.status_ok()


def answer(sp: ServiceProvider, ready: SamlProvider, query: Mapping[str, str]) -> IdpLogout:
    """The IdP's signed LogoutRequest: whom it logs out, and our signed answer."""
    client = sp.client(ready.idp, ready.settings.clock_skew_seconds)
    _verified(client, ready.idp.entity_id, query, "SAMLRequest")
    try:
        request = client.parse_logout_request(
            query["SAMLRequest"], BINDING_HTTP_REDIRECT, relay_state=query.get("RelayState")
        )
    except Exception as exc:  # noqa: BLE001
        raise FederatedLoginRefused("protocol", f"{type(exc).__name__}: {exc}") from None
    if request is None or request.message.name_id is None:
        raise FederatedLoginRefused("protocol", "a LogoutRequest without a NameID")
    destination = _slo_location(client, ready.idp.entity_id)
    if destination is None:
        raise FederatedLoginRefused("protocol", "the IdP has no single logout address")
    response = client.create_logout_response(
        request.message, [BINDING_HTTP_REDIRECT], success_status_factory(), sign=False
    )
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(response),
        destination,
        query.get("RelayState", ""),
        response=True,
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )

    return IdpLogout(code(request.message.name_id), Redirect(dict(info["headers"])["Location"]))


def issuer(encoded: str) -> str:
    """The Issuer of a Redirect-binding message (deflated, base64), to know which IdP's
    key must have signed it; '' when it cannot be read."""
    try:
        xml = decode_base64_and_inflate(encoded)
        root = etree.fromstring(
            xml, parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except Exception:  # noqa: BLE001 - anything unreadable is no known IdP
        return ""
    found = root.find("{urn:oasis:names:tc:SAML:2.0:assertion}Issuer")
    return (found.text or "").strip() if found is not None else ""


def end_sessions(session: Session, ready: SamlProvider, name_id: str, now: dt.datetime) -> bool:
    """The IdP logged the person out: every log-in session of the user its NameID is linked
    to ends (where the provider identifies people by NameID; by an attribute, only the
    browser's own session can be told). One unit of work, in the audit log; True if a user
    was found."""
    if ready.provider.identifier.lower() != "nameid":
        return False
    subject = (decode(name_id).text or "").strip()
    with transaction(session):
        found = session.execute(
            select(User.id, User.email)
            .join(FederatedIdentity, FederatedIdentity.user_id == User.id)
            .where(
                FederatedIdentity.issuer == ready.idp.entity_id,
                FederatedIdentity.subject == subject,
            )
        ).first()
        if found is None:
            return False
        sessions.end_all(session, found.id)
        audit.record(session, found.email, "logout", at=now, provider=ready.provider.id)
    return True
