"""A mailed person's link, made again for a reminder without ever being stored.

The invitation keeps only the SHA-256 of its token, as every invitation does. The token of
a mailed invitation is not random on its own: it is an HMAC, under a key derived from the
app's SECRET_KEY, of a random seed kept on the recipient's row. So the app (holding
SECRET_KEY) can make the link again for a reminder and find the person's invitation, while
a copy of the database alone (seeds, hashes, addresses) gives no link and does not say which
invitation is whose. Deleting the recipient rows at close deletes the seeds: after that not
even SECRET_KEY makes the links again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from survey.rounds.invitations import TOKEN_BYTES, hash_token

#: 128 random bits per recipient, as hex.
SEED_BYTES = 16
#: Domain separation: this key is used for nothing else derived from SECRET_KEY.
_PURPOSE = b"samverkansmataren/mailed-invitation-links/v1"


def new_seed() -> str:
    return secrets.token_hex(SEED_BYTES)


def _key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode("utf-8"), _PURPOSE, hashlib.sha256).digest()


def token_for(secret_key: str, seed: str) -> str:
    """The person's token: 192 bits like any other link's, URL-safe."""
    digest = hmac.new(_key(secret_key), seed.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).decode("ascii").rstrip("=")


def token_hash_for(secret_key: str, seed: str) -> str:
    """What the person's invitation stores: the hash of `token_for`."""
    return hash_token(token_for(secret_key, seed))
