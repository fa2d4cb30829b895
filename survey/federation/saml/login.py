"""A SAML log-in, both legs: the signed AuthnRequest we send the browser to the IdP with,
and the IdP's Response posted back to our ACS, checked and turned into FederatedClaims.

pysaml2 checks the Response (survey/federation/saml/sp.py configures it): the assertion's
XML signature by the IdP's pinned certificate, the audience (our entity id), the recipient
and destination (our ACS address), the time window (NotBefore / NotOnOrAfter with the
provider's clock skew, 120 s unless configured) and InResponseTo (a request this browser
started: unsolicited responses are refused). Here, after those: an assertion ID used before
is refused (survey/federation/saml/replay.py). Any failure is one FederatedLoginRefused
("protocol"), its detail for the audit log only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.ident import code
from saml2.response import AuthnResponse
from saml2.saml import AuthnContextClassRef
from saml2.samlp import RequestedAuthnContext
from saml2.xmldsig import SIG_RSA_SHA256
from sqlalchemy.orm import Session

from survey.errors import FederatedLoginRefused
from survey.federation.config import Provider
from survey.federation.linking import FederatedClaims
from survey.federation.saml import replay
from survey.federation.saml.metadata import IdpMetadata
from survey.federation.saml.sp import SamlSettings, ServiceProvider

#: Attributes by the names federations use (Sweden Connect and Sambi send the OID names,
#: others the LDAP names): a configured name finds its value under either.
ALIASES = {
    "mail": "urn:oid:0.9.2342.19200300.100.1.3",
    "email": "urn:oid:0.9.2342.19200300.100.1.3",
    "displayName": "urn:oid:2.16.840.1.113730.3.1.241",
    "employeeHsaId": "urn:oid:1.2.752.29.6.2.1",
    "hsaid": "urn:oid:1.2.752.29.6.2.1",
    "personalIdentityNumber": "urn:oid:1.2.752.29.4.13",
}


@dataclass(frozen=True)
class Started:
    request_id: str
    redirect_url: str  # the IdP's SSO address with the signed request in its query


@dataclass(frozen=True)
class SamlLogin:
    claims: FederatedClaims
    #: For single logout: the NameID (pysaml2's text form) and the IdP's session index.
    name_id: str
    session_index: str | None


def begin(sp: ServiceProvider, idp: IdpMetadata, settings: SamlSettings, relay: str) -> Started:
    """A signed AuthnRequest (HTTP-Redirect binding, RSA-SHA256) to the IdP."""
    client = sp.client(idp, settings.clock_skew_seconds)
    extra = {}
    if settings.authn_context:
        extra["requested_authn_context"] = RequestedAuthnContext(
            authn_context_class_ref=[AuthnContextClassRef(text=c) for c in settings.authn_context],
            comparison="exact",
        )
    request_id, info = client.prepare_for_authenticate(
        entityid=idp.entity_id,
        relay_state=relay,
        binding=BINDING_HTTP_REDIRECT,
        sign=True,
        sigalg=SIG_RSA_SHA256,
        **extra,
    )
    return Started(request_id, dict(info["headers"])["Location"])


def consume(
    session: Session,
    sp: ServiceProvider,
    idp: IdpMetadata,
    provider: Provider,
    settings: SamlSettings,
    saml_response: str,
    request_id: str | None,
    now: dt.datetime,
) -> SamlLogin:
    """The claims of a Response (base64, as posted) to our request `request_id`; raises
    FederatedLoginRefused("protocol") for anything that fails a check."""
    client = sp.client(idp, settings.clock_skew_seconds)
    if not request_id:
        raise FederatedLoginRefused("protocol", "no request of ours is waiting (cookie missing)")
    try:
        response = client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"}
        )
    except Exception as exc:  # noqa: BLE001 - pysaml2 raises dozens of types, all refusals
        raise FederatedLoginRefused("protocol", f"{type(exc).__name__}: {exc}") from None
    if not isinstance(response, AuthnResponse) or response.assertion is None:
        raise FederatedLoginRefused("protocol", "no assertion in the response")
    assertion = response.assertion
    skew = dt.timedelta(seconds=settings.clock_skew_seconds)
    expires = _expiry(response, now) + skew
    if not replay.first_use(session, idp.entity_id, assertion.id, expires, now):
        raise FederatedLoginRefused("protocol", f"assertion {assertion.id} was used before")
    return _login(response, idp, provider, settings)


def _expiry(response: AuthnResponse, now: dt.datetime) -> dt.datetime:
    """When the assertion stops being acceptable (pysaml2 keeps it as epoch seconds)."""
    if response.not_on_or_after:
        return dt.datetime.fromtimestamp(response.not_on_or_after, dt.UTC).replace(tzinfo=None)
    return now + dt.timedelta(hours=1)


def _login(
    response: AuthnResponse, idp: IdpMetadata, provider: Provider, settings: SamlSettings
) -> SamlLogin:
    attributes = attributes_of(response)
    name_id = response.name_id
    if provider.identifier.lower() == "nameid":
        subject = (name_id.text or "").strip() if name_id is not None else ""
    else:
        subject = first(attributes, provider.identifier) or ""
    if not subject:
        raise FederatedLoginRefused("protocol", f"no {provider.identifier} in the assertion")
    email = first(attributes, provider.email_attribute)
    contexts = [ref for ref, _authorities, _instant in response.authn_info() if ref]
    index = None
    if response.assertion.authn_statement:
        index = response.assertion.authn_statement[0].session_index
    claims = FederatedClaims(
        provider_id=provider.id,
        issuer=idp.entity_id,
        subject=subject,
        email=email.strip().lower() if email else None,
        email_verified=bool(email) and settings.email_verified,
        assurance=contexts[0] if contexts else None,
        attributes=attributes,
    )
    return SamlLogin(claims, code(name_id) if name_id is not None else "", index)


def attributes_of(response: AuthnResponse) -> dict[str, tuple[str, ...]]:
    """Every attribute of the assertion under its Name and its FriendlyName."""
    found: dict[str, tuple[str, ...]] = {}
    for statement in response.assertion.attribute_statement or []:
        for attribute in statement.attribute:
            values = tuple(
                (value.text or "").strip() for value in attribute.attribute_value if value.text
            )
            for name in (attribute.name, attribute.friendly_name):
                if name:
                    found[name] = found.get(name, ()) + values
    return found


def first(attributes: Mapping[str, tuple[str, ...]], name: str) -> str | None:
    values = attributes.get(name) or attributes.get(ALIASES.get(name, ""), ())
    return values[0] if values else None
