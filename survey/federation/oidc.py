"""OpenID Connect, the authorization code flow with PKCE, as a relying party: the request
sent to the provider, and the checks on its answer that turn it into FederatedClaims.

Authlib does the protocol's parts (the PKCE challenge, the ID token's claims rules:
`CodeIDToken`), joserfc (Authlib's own JOSE library) the signature against the provider's
published keys. Checked: `state` (the answer belongs to the request this browser started),
the token endpoint's answer, the ID token's signature (keys from the provider's JWKS, an
algorithm it announced, never `none`), `iss` (the configured issuer), `aud` and `azp` (our
client id), `exp`, `iat` (not in the future, not older than MAX_TOKEN_AGE) with the
configured clock skew (DEFAULT_CLOCK_SKEW, 120 s) and `nonce` (the one this request sent),
and `at_hash` where given. The discovery document and the keys are cached for
CACHE_SECONDS per issuer; keys are fetched anew once when a token names an unknown key.
No Flask here: survey/web/auth/oidc_routes.py is the shell.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from base64 import b64encode
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from survey.errors import FederatedLoginRefused
from survey.federation.config import OidcSettings, Provider, secure_url
from survey.federation.linking import FederatedClaims

#: How long a discovery document and key set are used before being fetched again.
CACHE_SECONDS = 3600
#: An ID token issued longer ago than this (plus the skew) is refused.
MAX_TOKEN_AGE = 600
#: Seconds to wait for the provider's endpoints.
HTTP_TIMEOUT = 10
#: Signature algorithms accepted when the provider announces none.
DEFAULT_ALGORITHMS = ("RS256",)


@dataclass(frozen=True)
class AuthRequest:
    """A request sent to the provider; the browser's session keeps the secrets until the
    answer comes back (the verifier never leaves it but to the token endpoint)."""

    url: str
    state: str
    nonce: str
    code_verifier: str


class _Discovery:
    """Discovery documents and key sets per issuer, for CACHE_SECONDS (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._documents: dict[str, tuple[float, dict[str, Any]]] = {}
        self._keys: dict[str, tuple[float, dict[str, Any]]] = {}

    def metadata(self, issuer: str) -> dict[str, Any]:
        document = self._cached(self._documents, issuer)
        if document is None:
            document = _get_json(f"{issuer}/.well-known/openid-configuration")
            if str(document.get("issuer", "")).rstrip("/") != issuer:
                raise FederatedLoginRefused(
                    "protocol", "the discovery document names another issuer"
                )
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(document.get(key), str):
                    raise FederatedLoginRefused("protocol", f"the discovery document lacks {key}")
            self._store(self._documents, issuer, document)
        return document

    def key_set(self, issuer: str, *, fresh: bool = False) -> dict[str, Any]:
        keys = None if fresh else self._cached(self._keys, issuer)
        if keys is None:
            keys = _get_json(self.metadata(issuer)["jwks_uri"])
            self._store(self._keys, issuer, keys)
        return keys

    def forget(self) -> None:
        with self._lock:
            self._documents.clear()
            self._keys.clear()

    def _cached(self, store: dict, issuer: str) -> dict[str, Any] | None:
        with self._lock:
            entry = store.get(issuer)
        if entry is None or time.monotonic() - entry[0] > CACHE_SECONDS:
            return None
        return entry[1]

    def _store(self, store: dict, issuer: str, value: dict[str, Any]) -> None:
        with self._lock:
            store[issuer] = (time.monotonic(), value)


discovery = _Discovery()


def settings_of(provider: Provider) -> OidcSettings:
    assert provider.oidc is not None, provider.id
    return provider.oidc


def authorization_request(provider: Provider, redirect_uri: str) -> AuthRequest:
    """The provider's authorization address with a fresh state, nonce and PKCE verifier."""
    oidc = settings_of(provider)
    endpoint = discovery.metadata(oidc.issuer)["authorization_endpoint"]
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    params = {
        "response_type": "code",
        "client_id": oidc.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(oidc.scopes),
        "state": state,
        "nonce": nonce,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    if oidc.acr_values:
        params["acr_values"] = " ".join(oidc.acr_values)
    separator = "&" if "?" in endpoint else "?"
    return AuthRequest(
        endpoint + separator + urllib.parse.urlencode(params), state, nonce, verifier
    )


def claims_from_answer(
    provider: Provider,
    answer: Mapping[str, str],
    sent: AuthRequest,
    redirect_uri: str,
    now: int | None = None,
) -> FederatedClaims:
    """The claims of the provider's answer (the callback's query) to the request `sent`,
    after every check; raises FederatedLoginRefused."""
    if not secrets.compare_digest(str(answer.get("state", "")), sent.state):
        raise FederatedLoginRefused("protocol", "state does not match the request")
    if answer.get("error"):
        reason = (
            "cancelled" if answer["error"] in ("access_denied", "login_required") else "protocol"
        )
        raise FederatedLoginRefused(reason, str(answer["error"])[:100])
    code = answer.get("code")
    if not code:
        raise FederatedLoginRefused("protocol", "no code in the answer")
    oidc = settings_of(provider)
    tokens = _token_request(oidc, code, sent.code_verifier, redirect_uri)
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise FederatedLoginRefused("protocol", "the token endpoint gave no ID token")
    claims = _verified_id_token(oidc, id_token, sent.nonce, tokens.get("access_token"), now)
    return _claims(provider, oidc, claims)


def _token_request(oidc: OidcSettings, code: str, verifier: str, redirect_uri: str) -> dict:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    headers = {}
    if oidc.token_endpoint_auth == "client_secret_post":
        form.update(client_id=oidc.client_id, client_secret=oidc.client_secret)
    else:
        pair = f"{_form_quote(oidc.client_id)}:{_form_quote(oidc.client_secret)}"
        headers["Authorization"] = "Basic " + b64encode(pair.encode()).decode()
    endpoint = discovery.metadata(oidc.issuer)["token_endpoint"]
    return _post_json(endpoint, form, headers)


def _form_quote(value: str) -> str:
    return urllib.parse.quote_plus(value)


def _verified_id_token(
    oidc: OidcSettings, id_token: str, nonce: str, access_token: Any, now: int | None
) -> CodeIDToken:
    metadata = discovery.metadata(oidc.issuer)
    algorithms = [
        a
        for a in metadata.get("id_token_signing_alg_values_supported") or DEFAULT_ALGORITHMS
        if a != "none"
    ]
    registry = JWSRegistry(algorithms=algorithms)
    try:
        try:
            token = jwt.decode(
                id_token, KeySet.import_key_set(discovery.key_set(oidc.issuer)), registry=registry
            )
        except InvalidKeyIdError:  # the provider may have rolled its keys over
            fresh = discovery.key_set(oidc.issuer, fresh=True)
            token = jwt.decode(id_token, KeySet.import_key_set(fresh), registry=registry)
    except (JoseError, ValueError) as exc:
        raise FederatedLoginRefused("protocol", f"ID token signature: {exc}"[:200]) from None
    now = int(time.time()) if now is None else now
    options = {
        "iss": {"essential": True, "value": oidc.issuer},
        "aud": {"essential": True, "value": oidc.client_id},
        "sub": {"essential": True},
    }
    params = {"nonce": nonce, "client_id": oidc.client_id}
    if isinstance(access_token, str):
        params["access_token"] = access_token
    claims = CodeIDToken(token.claims, token.header, options, params)
    try:
        claims.validate(now=now, leeway=oidc.clock_skew_seconds)
    except JoseError as exc:
        raise FederatedLoginRefused("protocol", f"ID token claims: {exc}"[:200]) from None
    if not claims.get("nonce"):
        raise FederatedLoginRefused("protocol", "ID token claims: no nonce")
    if claims["iat"] < now - MAX_TOKEN_AGE - oidc.clock_skew_seconds:
        raise FederatedLoginRefused("protocol", "ID token claims: issued too long ago")
    return claims


def _claims(provider: Provider, oidc: OidcSettings, token: Mapping[str, Any]) -> FederatedClaims:
    """The ID token's claims as FederatedClaims: the subject is `sub` (or the configured
    claim) with the issuer; other claims become attributes (lists of text)."""
    subject = token.get(provider.identifier)
    email = token.get(provider.email_attribute)
    attributes = {
        name: tuple(str(v) for v in (value if isinstance(value, list) else [value]))
        for name, value in token.items()
        if isinstance(value, str | int | list) and not isinstance(value, bool)
    }
    return FederatedClaims(
        provider_id=provider.id,
        issuer=oidc.issuer,
        subject=str(subject) if subject not in (None, "") else "",
        email=str(email) if isinstance(email, str) else None,
        email_verified=token.get("email_verified") is True,
        assurance=str(token["acr"]) if token.get("acr") else None,
        attributes=attributes,
    )


def logout_url(provider: Provider, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session address (RP-initiated logout), where it offers one."""
    oidc = settings_of(provider)
    try:
        endpoint = discovery.metadata(oidc.issuer).get("end_session_endpoint")
    except FederatedLoginRefused:
        return None
    if not isinstance(endpoint, str):
        return None
    query = urllib.parse.urlencode(
        {"client_id": oidc.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
    )
    return endpoint + ("&" if "?" in endpoint else "?") + query


def _get_json(url: str) -> dict[str, Any]:
    return _fetch(urllib.request.Request(url, headers={"Accept": "application/json"}))


def _post_json(url: str, form: Mapping[str, str], headers: Mapping[str, str]) -> dict[str, Any]:
    body = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
            **headers,
        },
    )
    return _fetch(request)


def _fetch(request: urllib.request.Request) -> dict[str, Any]:
    if not secure_url(request.full_url):
        raise FederatedLoginRefused("protocol", "the provider's endpoint is not https")
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310
            data = json.loads(response.read(1_000_001))
    except urllib.error.HTTPError as exc:
        raise FederatedLoginRefused("protocol", f"{request.full_url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise FederatedLoginRefused("unavailable", f"{request.full_url}: {exc}"[:200]) from None
    except ValueError:
        raise FederatedLoginRefused("protocol", f"{request.full_url}: not JSON") from None
    if not isinstance(data, dict):
        raise FederatedLoginRefused("protocol", f"{request.full_url}: not a JSON object")
    return data
