"""What a respondent's browser remembers between visits, kept in the session cookie with
no link and no link's hash in it (the cookie is signed, not encrypted: whoever reads it
reads what it holds).

- Links submitted here (so the back button shows the thank-you page): a keyed mark of
  the link, HMAC-SHA256 with a key derived from the app's secret key. It matches no
  stored hash and gives the link back to nobody.
- The personal link a shared link handed out (so coming back through the shared link on a
  shared computer offers to continue): sealed with a one-time pad, HMAC-SHA512 of the
  secret key and a random nonce, XOR the link; the cookie's signature keeps it whole.
  Only the server, holding the key, reads it back.

Only the last REMEMBERED of each are kept.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from flask import current_app, session

REMEMBERED = 5
NONCE_BYTES = 16
#: Longer than any link's token (the pad is one SHA-512 block: 64 bytes).
MAX_SEALED = 64


def _key(purpose: str) -> bytes:
    secret = current_app.secret_key
    secret = secret.encode() if isinstance(secret, str) else bytes(secret or b"")
    return hmac.new(secret, f"respondent-cookie:{purpose}".encode(), hashlib.sha256).digest()


def _mark(purpose: str, token: str) -> str:
    return hmac.new(_key(purpose), token.encode(), hashlib.sha256).hexdigest()[:32]


def _pad(nonce: bytes, length: int) -> bytes:
    return hmac.new(_key("seal"), nonce, hashlib.sha512).digest()[:length]


def _seal(token: str) -> str | None:
    data = token.encode()
    if len(data) > MAX_SEALED:
        return None
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = bytes(a ^ b for a, b in zip(data, _pad(nonce, len(data)), strict=True))
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def _unseal(value: object) -> str | None:
    try:
        raw = base64.urlsafe_b64decode(str(value).encode())
        if len(raw) <= NONCE_BYTES:
            return None
        nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        pad = _pad(nonce, len(sealed))
        return bytes(a ^ b for a, b in zip(sealed, pad, strict=True)).decode()
    except (binascii.Error, ValueError):  # an old cookie's entry, or a key changed since
        return None


def submitted_here(token: str) -> bool:
    return _mark("submitted", token) in session.get("submitted", [])


def remember_submitted(token: str) -> None:
    """This browser submitted with `token`; the personal link a shared link handed out
    for it is forgotten (nothing here leads to the answers any more)."""
    marks = [*session.get("submitted", []), _mark("submitted", token)]
    session["submitted"] = list(dict.fromkeys(marks))[-REMEMBERED:]
    shared = session.get("shared", {})
    session["shared"] = {k: v for k, v in shared.items() if _unseal(v) != token}


def personal_link_for(shared_token: str) -> str | None:
    """The personal link this browser got through `shared_token`, if it remembers one."""
    return _unseal(session.get("shared", {}).get(_mark("shared", shared_token), ""))


def remember_personal_link(shared_token: str, personal: str) -> None:
    sealed = _seal(personal)
    if sealed is None:
        return
    shared = dict(session.get("shared", {}))
    shared[_mark("shared", shared_token)] = sealed
    session["shared"] = dict(list(shared.items())[-REMEMBERED:])
