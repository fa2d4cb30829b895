"""A tiny SAML 2.0 identity provider FOR THE DEMO ONLY: `survey demo --serve
--test-saml-idp` runs it on loopback (it refuses any other address). It is pysaml2's IdP
(`saml2.server.Server`) with its own key made at start: it checks our signed AuthnRequest,
offers a page to choose a made-up person (and whether the log-in counts as Sweden Connect
loa3), and posts a signed assertion to our ACS; it answers our signed LogoutRequest.
Nobody is authenticated here: never point a real installation at it. The tests run the
same kind of IdP from tests/saml_idp.py.
"""

from __future__ import annotations

import html
import secrets
import tempfile
import threading
from pathlib import Path

from flask import Flask, abort, redirect, request
from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256
from werkzeug.serving import make_server

from survey.cli.dev_idp import LOA2, LOA3, LOOPBACK, Person
from survey.federation.saml import keys
from survey.federation.saml.sp import xmlsec_binary

MAIL = "urn:oid:0.9.2342.19200300.100.1.3"
DISPLAY_NAME = "urn:oid:2.16.840.1.113730.3.1.241"


def idp_config(
    entity_id: str,
    pair: keys.KeyPair,
    sp_metadata: str,
    *,
    lifetime_minutes: int = 5,
    single_logout: bool = True,
) -> dict:
    """pysaml2's configuration of an IdP at `entity_id` (SSO and SLO over HTTP-Redirect
    below it) that signs its assertions and wants signed requests from the SP it knows by
    `sp_metadata` (tests/saml_idp.py makes its IdP with this too)."""
    endpoints = {"single_sign_on_service": [(f"{entity_id}/sso", BINDING_HTTP_REDIRECT)]}
    if single_logout:
        endpoints["single_logout_service"] = [(f"{entity_id}/slo", BINDING_HTTP_REDIRECT)]
    return {
        "entityid": entity_id,
        "key_file": str(pair.key_file),
        "cert_file": str(pair.cert_file),
        "xmlsec_binary": xmlsec_binary(),
        "signing_algorithm": SIG_RSA_SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "allow_unknown_attributes": True,
        "service": {
            "idp": {
                "endpoints": endpoints,
                "policy": {
                    "default": {
                        "lifetime": {"minutes": lifetime_minutes},
                        "attribute_restrictions": None,
                        "name_form": NAME_FORMAT_URI,
                    }
                },
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "want_authn_requests_signed": True,
                "sign_assertion": True,
                "sign_response": False,
            }
        },
        "metadata": {"inline": [sp_metadata]},
    }


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><link rel='icon' href='data:,'></head><body>{body}</body></html>"
    )


class TestSamlIdp:
    """The IdP; `serve()` starts it in a thread, `configure()` gives it our SP metadata."""

    __test__ = False

    def __init__(self, people: list[Person]):
        self.people = {p.sub: p for p in people}
        folder = Path(tempfile.mkdtemp(prefix="survey-test-saml-idp-"))
        self.keys = keys.make(keys.KeyPair(folder / "key.pem", folder / "cert.pem"), "test-idp")
        self.metadata_file = folder / "idp-metadata.xml"
        self.entity_id = ""
        self.server: Server | None = None
        self._pending: dict[str, object] = {}
        self._http = None
        self.app = Flask(__name__)
        self.app.add_url_rule("/idp/sso", view_func=self._sso, methods=["GET", "POST"])
        self.app.add_url_rule("/idp/slo", view_func=self._slo)

    @property
    def fingerprint(self) -> str:
        from cryptography import x509

        return keys.fingerprint(x509.load_pem_x509_certificate(self.keys.cert_file.read_bytes()))

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on loopback (anything else is refused); returns the IdP's entity id."""
        if host not in LOOPBACK:
            raise ValueError("the test identity provider serves only on loopback")
        self._http = make_server(host, port, self.app, threaded=True)
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        self.entity_id = f"http://{host}:{self._http.server_port}/idp"
        return self.entity_id

    def configure(self, sp_metadata: str) -> None:
        """The IdP knows our SP from its metadata; its own metadata goes to `metadata_file`."""
        config = idp_config(self.entity_id, self.keys, sp_metadata)
        self.server = Server(config=IdPConfig().load(config))
        text = create_metadata_string(None, config=self.server.config, sign=False)
        self.metadata_file.write_bytes(text if isinstance(text, bytes) else text.encode())

    def shutdown(self) -> None:
        if self._http is not None:
            self._http.shutdown()

    def _signed_query(self) -> dict[str, str]:
        query = request.args.to_dict()
        if "SigAlg" not in query or "Signature" not in query:
            abort(400)  # our SP signs every request; an unsigned one is not ours
        return query

    def _sso(self):
        assert self.server is not None
        if request.method == "POST":
            return self._answer()
        query = self._signed_query()
        try:
            parsed = self.server.parse_authn_request(
                query["SAMLRequest"],
                BINDING_HTTP_REDIRECT,
                relay_state=query.get("RelayState"),
                sigalg=query["SigAlg"],
                signature=query["Signature"],
            )
        except Exception:  # noqa: BLE001 - any fault: not a request we take
            abort(400)
        key = secrets.token_urlsafe(16)
        self._pending[key] = (parsed.message, query.get("RelayState", ""))
        buttons = "".join(
            f"<p><button type='submit' name='sub' value='{html.escape(p.sub)}'>"
            f"{html.escape(p.name or p.email)} &lt;{html.escape(p.email)}&gt;</button></p>"
            for p in self.people.values()
        )
        return _page(
            "Test SAML identity provider",
            "<h1>Test SAML identity provider (demo only)</h1>"
            "<p>Nobody is checked here. Choose who to log in as.</p>"
            f"<form method='post'><input type='hidden' name='key' value='{key}'>"
            "<p><label><input type='checkbox' name='two_factor' value='1' checked> "
            "Two-factor log-in (Sweden Connect loa3)</label></p>"
            f"{buttons}</form>",
        )

    def _answer(self):
        assert self.server is not None
        pending = self._pending.pop(request.form.get("key", ""), None)
        person = self.people.get(request.form.get("sub", ""))
        if pending is None or person is None:
            abort(400)
        message, relay = pending  # type: ignore[misc]
        response = self.server.create_authn_response(
            {MAIL: [person.email], DISPLAY_NAME: [person.name or person.email]},
            in_response_to=message.id,
            destination=message.assertion_consumer_service_url,
            sp_entity_id=message.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=person.sub),
            authn={
                "class_ref": LOA3 if request.form.get("two_factor") else LOA2,
                "authn_auth": self.entity_id,
            },
            sign_assertion=True,
            sign_response=False,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        info = self.server.apply_binding(
            "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
            str(response),
            message.assertion_consumer_service_url,
            relay,
            response=True,
        )
        return info["data"]  # pysaml2's page posting the answer (a button without script)

    def _slo(self):
        assert self.server is not None
        query = self._signed_query()
        try:
            parsed = self.server.parse_logout_request(
                query["SAMLRequest"],
                BINDING_HTTP_REDIRECT,
                relay_state=query.get("RelayState"),
                sigalg=query["SigAlg"],
                signature=query["Signature"],
            )
            response = self.server.create_logout_response(
                parsed.message, [BINDING_HTTP_REDIRECT], sign=False
            )
            destinations = self.server.metadata.single_logout_service(
                parsed.message.issuer.text, BINDING_HTTP_REDIRECT, "spsso"
            )
            info = self.server.apply_binding(
                BINDING_HTTP_REDIRECT,
                str(response),
                destinations[0]["location"],
                query.get("RelayState", ""),
                response=True,
                sign=True,
                sigalg=SIG_RSA_SHA256,
            )
        except Exception:  # noqa: BLE001
            abort(400)
        return redirect(dict(info["headers"])["Location"])
