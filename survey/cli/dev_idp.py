"""A tiny OpenID Connect provider FOR THE DEMO AND THE TESTS ONLY: `survey demo --serve
--test-idp` and tests/test_oidc.py run it on loopback (it refuses any other address). It
has its own RSA key (made at start), a discovery document, a JWKS, the authorization code
flow with PKCE (S256 required), a page to choose a made-up person, a token endpoint and
RP-initiated log-out. Nobody is authenticated here: never point a real installation at it.

Tests switch `faults` on to make it misbehave as a broken or hostile provider would:
"wrong_audience", "expired", "bad_signature", "wrong_nonce", "issued_in_future".
"""

from __future__ import annotations

import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from flask import Flask, abort, jsonify, redirect, render_template_string, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

LOOPBACK = ("127.0.0.1", "::1", "localhost")
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
TOKEN_SECONDS = 300

_CHOOSE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Test identity provider</title><link rel="icon" href="data:,"></head><body>
<h1>Test identity provider (demo only)</h1>
<p>Nobody is checked here. Choose who to log in as.</p>
<form method="post">
{% for key, value in params.items() %}<input type="hidden" name="{{ key }}" value="{{ value }}">
{% endfor %}
<p><label><input type="checkbox" name="two_factor" value="1" checked>
 Two-factor log-in (Sweden Connect loa3)</label></p>
{% for person in people %}<p><button type="submit" name="sub" value="{{ person.sub }}">
{{ person.name }} &lt;{{ person.email }}&gt;</button></p>
{% endfor %}</form></body></html>"""


@dataclass(frozen=True)
class Person:
    sub: str
    email: str
    name: str = ""
    email_verified: bool = True
    #: Other claims put in the ID token, e.g. {"groups": ["norrsund-board"]}.
    claims: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Grant:
    person: Person
    client_id: str
    redirect_uri: str
    nonce: str
    challenge: str
    acr: str
    issued: float


class TestProvider:
    """The provider; `serve()` starts it in a thread, `shutdown()` stops it."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(
        self, people: list[Person], client_id: str = "survey", client_secret: str = "dev-secret"
    ):
        self.people = {p.sub: p for p in people}
        self.client_id, self.client_secret = client_id, client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(4)})
        #: The callback addresses accepted (prefixes); set once the app's address is known.
        self.redirect_prefixes: list[str] = []
        self.faults: set[str] = set()
        #: Tests: log in as this subject at once, without the choosing page.
        self.auto_login: str | None = None
        self.auto_acr = LOA2
        self.issuer = ""
        self._grants: dict[str, _Grant] = {}
        self._server = None
        self.app = self._make_app()

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on loopback (anything else is refused); returns the issuer address."""
        if host not in LOOPBACK:
            raise ValueError("the test identity provider serves only on loopback")
        self._server = make_server(host, port, self.app, threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.issuer = f"http://{host}:{self._server.server_port}"
        return self.issuer

    def shutdown(self) -> None:
        if self._server is not None:
            self._server.shutdown()

    def _make_app(self) -> Flask:
        app = Flask(__name__)
        app.add_url_rule("/.well-known/openid-configuration", view_func=self._discovery)
        app.add_url_rule("/jwks", view_func=self._jwks)
        app.add_url_rule("/authorize", view_func=self._authorize, methods=["GET", "POST"])
        app.add_url_rule("/token", view_func=self._token, methods=["POST"])
        app.add_url_rule("/logout", view_func=self._logout)
        return app

    def _discovery(self):
        return jsonify(
            issuer=self.issuer,
            authorization_endpoint=f"{self.issuer}/authorize",
            token_endpoint=f"{self.issuer}/token",
            jwks_uri=f"{self.issuer}/jwks",
            end_session_endpoint=f"{self.issuer}/logout",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            code_challenge_methods_supported=["S256"],
            acr_values_supported=[LOA2, LOA3],
        )

    def _jwks(self):
        return jsonify(KeySet([self.key]).as_dict(private=False))

    def _authorize(self):
        params = request.values
        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") != self.client_id or not self._allowed(redirect_uri):
            abort(400)
        if params.get("response_type") != "code" or params.get("code_challenge_method") != "S256":
            return self._back(redirect_uri, error="invalid_request", state=params.get("state"))
        sub, acr = self.auto_login, self.auto_acr
        if request.method == "POST":
            sub, acr = params.get("sub"), LOA3 if params.get("two_factor") else LOA2
        if sub is None:
            keep = {k: params[k] for k in params if k != "sub"}
            return render_template_string(_CHOOSE, params=keep, people=self.people.values())
        if sub not in self.people:
            return self._back(redirect_uri, error="access_denied", state=params.get("state"))
        code = secrets.token_urlsafe(24)
        self._grants[code] = _Grant(
            self.people[sub],
            self.client_id,
            redirect_uri,
            params.get("nonce", ""),
            params.get("code_challenge", ""),
            acr,
            time.time(),
        )
        return self._back(redirect_uri, code=code, state=params.get("state"))

    def _allowed(self, uri: str) -> bool:
        return any(uri.startswith(prefix) for prefix in self.redirect_prefixes)

    @staticmethod
    def _back(redirect_uri: str, **params: Any):
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        return redirect(f"{redirect_uri}?{query}")

    def _client_ok(self) -> bool:
        auth = request.authorization
        if auth is not None:
            return auth.username == self.client_id and auth.password == self.client_secret
        return (
            request.form.get("client_id") == self.client_id
            and request.form.get("client_secret") == self.client_secret
        )

    def _token(self):
        if not self._client_ok():
            return jsonify(error="invalid_client"), 401
        grant = self._grants.pop(request.form.get("code", ""), None)  # a code works once
        verifier = request.form.get("code_verifier", "")
        if (
            grant is None
            or time.time() - grant.issued > 60
            or grant.redirect_uri != request.form.get("redirect_uri")
            or create_s256_code_challenge(verifier) != grant.challenge
        ):
            return jsonify(error="invalid_grant"), 400
        access_token = secrets.token_urlsafe(24)
        return jsonify(
            access_token=access_token,
            token_type="Bearer",
            expires_in=TOKEN_SECONDS,
            id_token=self._id_token(grant),
        )

    def _id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        person = grant.person
        claims = {
            **person.claims,
            "iss": self.issuer,
            "sub": person.sub,
            "aud": "someone-else" if "wrong_audience" in self.faults else grant.client_id,
            "iat": now - 3600 if "expired" in self.faults else now,
            "exp": now - 1800 if "expired" in self.faults else now + TOKEN_SECONDS,
            "nonce": "not-the-nonce" if "wrong_nonce" in self.faults else grant.nonce,
            "acr": grant.acr,
            "email": person.email,
            "email_verified": person.email_verified,
            "name": person.name or person.email,
        }
        if "issued_in_future" in self.faults:
            claims["iat"] = now + 3600
        key = self.key
        if "bad_signature" in self.faults:  # another key under the same key id
            key = RSAKey.generate_key(2048, parameters={"kid": self.key.kid})
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, key)

    def _logout(self):
        target = request.args.get("post_logout_redirect_uri", "")
        if (
            request.args.get("client_id") == self.client_id
            and target
            and self._allowed_back(target)
        ):
            return redirect(target)
        return "<!doctype html><title>Logged out</title><p>Logged out at the test provider.</p>"

    def _allowed_back(self, uri: str) -> bool:
        bases = {p.split("/login/oidc/")[0] for p in self.redirect_prefixes}
        return any(uri.startswith(base) for base in bases)
