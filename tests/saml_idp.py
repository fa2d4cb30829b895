"""A real SAML 2.0 identity provider for the tests: pysaml2's `Server`, with a key and a
self-signed certificate made at test time (`cryptography`), which checks our signed
AuthnRequests and LogoutRequests and answers with signed responses, as an IdP of Sambi or
Sweden Connect would. Tests post its answers to our ACS through the Flask test client.

Its faults on demand (each a real signed message, not a mock): another audience, an
expired assertion, a signature by a key other than the pinned one, a tampered assertion.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import urllib.parse
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from survey.cli.dev_saml_idp import idp_config
from survey.federation.saml.keys import KeyPair

ENTITY_ID = "https://idp.test/idp"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
HSA_ID = "urn:oid:1.2.752.29.6.2.1"
MAIL = "urn:oid:0.9.2342.19200300.100.1.3"
DISPLAY_NAME = "urn:oid:2.16.840.1.113730.3.1.241"


def key_pair(folder: Path, name: str) -> tuple[Path, Path]:
    """A fresh RSA key and self-signed certificate in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / f"{name}-key.pem", folder / f"{name}-cert.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def sha256_of(cert_file: Path) -> str:
    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


class TestIdp:
    """One IdP at `ENTITY_ID` that knows our SP from its metadata."""

    __test__ = False  # not a test class, whatever its name

    def __init__(
        self,
        keys: tuple[Path, Path],
        sp_metadata: str,
        *,
        lifetime_minutes: int = 5,
        single_logout: bool = True,
        entity_id: str = ENTITY_ID,
    ):
        self.key_file, self.cert_file = keys
        self.entity_id = entity_id
        config = idp_config(
            entity_id,
            KeyPair(*keys),
            sp_metadata,
            lifetime_minutes=lifetime_minutes,
            single_logout=single_logout,
        )
        self.server = Server(config=IdPConfig().load(config))
        self.fingerprint = sha256_of(self.cert_file)

    def metadata(self) -> str:
        text = create_metadata_string(None, config=self.server.config, sign=False)
        return text.decode() if isinstance(text, bytes) else text

    def read_request(self, redirect_url: str):
        """The AuthnRequest in our redirect, its signature checked against our SP
        metadata (pysaml2 raises where it does not hold)."""
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(redirect_url).query))
        request = self.server.parse_authn_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        assert request is not None, "the IdP could not read the request"
        assert request.signature_check(
            request.xmlstr,
            binding=BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        ), "the AuthnRequest's signature does not hold"
        return request.message, query.get("RelayState")

    def response(
        self,
        request,
        *,
        subject: str = "SE2321000016-0001",
        mail: str | None = "anna@region.test",
        hsa_id: str | None = "SE2321000016-0001",
        authn_context: str = LOA3,
        audience: str | None = None,
        encrypt: bool = False,
    ) -> str:
        """A signed Response to `request` (as the browser posts it: base64)."""
        identity = {DISPLAY_NAME: ["Anna Andersson"]}
        if mail:
            identity[MAIL] = [mail]
        if hsa_id:
            identity[HSA_ID] = [hsa_id]
        name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject)
        response = self.server.create_authn_response(
            identity,
            in_response_to=request.id,
            destination=request.assertion_consumer_service_url,
            sp_entity_id=audience or request.issuer.text,
            name_id=name_id,
            authn={"class_ref": authn_context, "authn_auth": self.entity_id},
            sign_assertion=True,
            sign_response=False,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
            session_not_on_or_after=None,
            authn_statement=None,
            # As Sweden Connect does: to the encryption key of the SP's metadata.
            encrypt_assertion=encrypt,
            encrypt_assertion_self_contained=True,
        )
        return base64.b64encode(str(response).encode()).decode()


def tampered(saml_response: str, old: str, new: str) -> str:
    """The same signed response with one text changed after signing."""
    xml = base64.b64decode(saml_response).decode()
    assert old in xml, f"{old!r} is not in the response"
    return base64.b64encode(xml.replace(old, new).encode()).decode()


def query_of(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def read_logout_request(idp: TestIdp, redirect_url: str):
    """Our LogoutRequest as the IdP reads it (its Redirect signature checked)."""
    query = query_of(redirect_url)
    assert "Signature" in query and "SigAlg" in query, "the LogoutRequest is not signed"
    idp.server.config.setattr("idp", "want_authn_requests_signed", True)
    request = idp.server.parse_logout_request(
        query["SAMLRequest"],
        BINDING_HTTP_REDIRECT,
        relay_state=query.get("RelayState"),
        sigalg=query["SigAlg"],
        signature=query["Signature"],
    )
    return request.message, query.get("RelayState", "")


def logout_response(idp: TestIdp, request, relay_state: str, sp_slo: str) -> str:
    """The IdP's signed LogoutResponse (Redirect binding): the address to send the browser."""
    response = idp.server.create_logout_response(request, [BINDING_HTTP_REDIRECT], sign=False)
    info = idp.server.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(response),
        sp_slo,
        relay_state,
        response=True,
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    return dict(info["headers"])["Location"]


def logout_request(idp: TestIdp, name_id: NameID, sp_slo: str, sp_entity_id: str) -> str:
    """The IdP's own signed LogoutRequest for a NameID (the person logged out elsewhere)."""
    _id, request = idp.server.create_logout_request(
        sp_slo, sp_entity_id, name_id=name_id, sign=False
    )
    info = idp.server.apply_binding(
        BINDING_HTTP_REDIRECT, str(request), sp_slo, "", sign=True, sigalg=SIG_RSA_SHA256
    )
    return dict(info["headers"])["Location"]


def login_page(idp: TestIdp, redirect_url: str, person: dict) -> str:
    """The IdP's page for a browser: who is logging in, and a button that posts the signed
    answer to the SP's ACS (HTTP-POST binding), as a real IdP's page does after the card."""
    request, relay = idp.read_request(redirect_url)
    answer = idp.response(request, **person)
    return (
        "<!doctype html><html lang='sv'><head><title>Test-IdP</title></head><body><main>"
        "<h1>Test-IdP</h1>"
        f"<form method='post' action='{html.escape(request.assertion_consumer_service_url)}'>"
        f"<input type='hidden' name='SAMLResponse' value='{answer}'>"
        f"<input type='hidden' name='RelayState' value='{html.escape(relay or '')}'>"
        f"<button>Logga in som {html.escape(person.get('mail') or 'testperson')}</button>"
        "</form></main></body></html>"
    )


def wsgi_app(holder: dict, person: dict):
    """A WSGI IdP on loopback for the browser: GET /sso shows `login_page` for the
    request in its query; `holder["idp"]` is the TestIdp (made once the SP's metadata is
    known)."""

    def app(environ, start_response):
        idp: TestIdp = holder["idp"]
        path = environ.get("PATH_INFO", "")
        if path.endswith("/sso"):
            url = f"{idp.entity_id}/sso?{environ.get('QUERY_STRING', '')}"
            body = login_page(idp, url, person).encode()
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [body]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not here"]

    return app
