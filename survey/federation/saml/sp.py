"""Our SAML 2.0 service provider, as pysaml2 runs it: one configuration per identity
provider (its pinned metadata, our key pair and addresses), the SP metadata we publish,
and the `saml:` block of a provider in instance/federation.yaml.

Why pysaml2 (and not python3-saml): it is a whole SAML stack (SP *and* IdP), so the test
suite runs a real IdP with the same library instead of a mock, and it verifies signatures
with the `xmlsec1` program, the reference XML Signature implementation, rather than a
compiled binding (python3-saml needs the `xmlsec` C extension built against libxml2,
whose versions must match lxml's, a known source of crashes). docs/operations.md, "SAML".

The addresses are fixed (`PATHS`): a federation registers the metadata address as our
entity id, and the ACS and SLO addresses in it, so they must never move.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from survey.errors import FederationConfigError
from survey.federation.config import DEFAULT_CLOCK_SKEW, Provider
from survey.federation.saml import metadata
from survey.federation.saml.keys import KeyPair

#: Our endpoints below the public address (survey/web/auth/saml.py serves them).
PATHS = {
    "metadata": "/auth/saml/metadata",
    "acs": "/auth/saml/acs",
    "slo": "/auth/saml/slo",
}
SAML_KEYS = {
    "entity_id",
    "metadata",
    "signing_certificate_sha256",
    "authn_context",
    "clock_skew_seconds",
    "email_verified",
    "entity_categories",
}
#: Sweden Connect's level of assurance 3 (the loa3 of "Tillitsramverk för Svensk e-legitimation").
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"


@dataclass(frozen=True)
class SamlSettings:
    """A provider's `saml:` block: which IdP (entity id), where its metadata is (a path,
    relative to instance/, or a URL), the SHA-256 fingerprints its signing certificates
    must have, the AuthnContextClassRef(s) asked for, the clock skew allowed."""

    entity_id: str
    metadata: str
    pinned: tuple[str, ...]
    authn_context: tuple[str, ...] = ()
    clock_skew_seconds: int = DEFAULT_CLOCK_SKEW
    #: The IdP's e-mail attribute comes from the organisation's directory, not the person,
    #: so it counts as verified for linking an invited account (false where it does not).
    email_verified: bool = True
    #: Entity categories our metadata declares for this federation (Sweden Connect asks for
    #: them: e.g. http://id.elegnamnden.se/ec/1.0/loa3-pnr); our metadata lists them all.
    entity_categories: tuple[str, ...] = ()


def settings_of(provider: Provider, source: str = "instance/federation.yaml") -> SamlSettings:
    raw: Mapping[str, Any] = provider.saml
    where = f"providers[{provider.id}].saml"

    def fail(key: str, fault: str):
        raise FederationConfigError(source, f"{where}.{key}".rstrip("."), fault)

    for key in raw:
        if key not in SAML_KEYS:
            fail(key, f"unknown key (known: {', '.join(sorted(SAML_KEYS))})")
    for key in ("entity_id", "metadata", "signing_certificate_sha256"):
        if not raw.get(key):
            fail(key, "is missing")
    pinned = raw["signing_certificate_sha256"]
    pinned = [pinned] if isinstance(pinned, str) else pinned
    if not isinstance(pinned, list) or not all(isinstance(p, str) for p in pinned):
        fail("signing_certificate_sha256", "must be a fingerprint or a list of them")
    authn = raw.get("authn_context", [])
    authn = [authn] if isinstance(authn, str) else authn
    if not isinstance(authn, list) or not all(isinstance(a, str) for a in authn):
        fail("authn_context", "must be a list of AuthnContextClassRef URIs")
    skew = raw.get("clock_skew_seconds", DEFAULT_CLOCK_SKEW)
    if not isinstance(skew, int) or isinstance(skew, bool) or not 0 <= skew <= 600:
        fail("clock_skew_seconds", "must be a whole number from 0 to 600")
    categories = raw.get("entity_categories", [])
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        fail("entity_categories", "must be a list of entity category URIs")
    verified = raw.get("email_verified", True)
    if not isinstance(verified, bool):
        fail("email_verified", "must be true or false")
    return SamlSettings(
        entity_id=str(raw["entity_id"]),
        metadata=str(raw["metadata"]),
        pinned=tuple(pinned),
        authn_context=tuple(authn),
        clock_skew_seconds=skew,
        email_verified=verified,
        entity_categories=tuple(categories),
    )


@dataclass(frozen=True)
class ServiceProvider:
    """Where we are (the public address) and our key pair."""

    public_url: str
    keys: KeyPair
    entity_categories: tuple[str, ...] = ()

    def url(self, name: str) -> str:
        return self.public_url.rstrip("/") + PATHS[name]

    @property
    def entity_id(self) -> str:
        return self.url("metadata")

    def config(self, idp: metadata.IdpMetadata | None = None, skew: int = DEFAULT_CLOCK_SKEW):
        """pysaml2's SP configuration, with the one IdP it may talk to."""
        key_pair = {"key_file": str(self.keys.key_file), "cert_file": str(self.keys.cert_file)}
        conf: dict[str, Any] = {
            "entityid": self.entity_id,
            **key_pair,
            "encryption_keypairs": [key_pair],  # Sweden Connect encrypts its assertions
            "xmlsec_binary": xmlsec_binary(),
            "accepted_time_diff": skew,
            "allow_unknown_attributes": True,
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA256,
            "service": {
                "sp": {
                    "name": "Samverkansmätaren",
                    "endpoints": {
                        "assertion_consumer_service": [(self.url("acs"), BINDING_HTTP_POST)],
                        "single_logout_service": [(self.url("slo"), BINDING_HTTP_REDIRECT)],
                    },
                    "authn_requests_signed": True,
                    "logout_requests_signed": True,
                    "logout_responses_signed": True,
                    "want_assertions_signed": True,
                    "want_response_signed": False,
                    "allow_unsolicited": False,  # only answers to a request of ours
                },
            },
            "metadata": {"inline": [idp.xml]} if idp else {},
        }
        if self.entity_categories:
            conf["entity_category"] = list(self.entity_categories)
        return SPConfig().load(conf)

    def client(self, idp: metadata.IdpMetadata, skew: int) -> Saml2Client:
        return Saml2Client(config=self.config(idp, skew))

    def metadata_xml(self) -> str:
        """Our SP metadata, signed with our key: what a federation registers."""
        text = create_metadata_string(
            None, config=self.config(), sign=True, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256
        )
        return text.decode() if isinstance(text, bytes) else text


def xmlsec_binary() -> str:
    """The `xmlsec1` program pysaml2 signs and verifies with (Debian: `apt-get install
    xmlsec1`)."""
    found = shutil.which("xmlsec1") or (
        "/usr/bin/xmlsec1" if Path("/usr/bin/xmlsec1").exists() else None
    )
    if not found:
        raise FederationConfigError("xmlsec1", "", "the xmlsec1 program is not installed")
    return found
