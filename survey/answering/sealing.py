"""A draft is sealed with its link: only whoever holds the link can read it.

The server sees a link's token only while its holder answers (it stores the token's
SHA-256, nothing else), so a draft's answers are kept as one AES-256-GCM blob under a key
derived from the token (HKDF-SHA-256). A copy of the database — live rows, dead row
versions left in a PostgreSQL heap, a WAL — then holds ciphertext that neither reads nor
matches a submitted response without the link. The plaintext is padded to a multiple of
PAD bytes, so a blob's length says little more than roughly how long its comments are.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

#: First byte of a blob (its format): a 12-byte nonce, then AES-GCM ciphertext and tag.
SEALED = b"\x01"
PAD = 512
_PURPOSE = b"samverkansmataren draft v1"


@dataclass
class Content:
    """What a draft holds: the questions about the respondent, ratings by statement code
    (None for "vet ej") and comments by dimension code."""

    language: str = "sv"
    background: dict[str, str | None] = field(default_factory=dict)
    answers: dict[str, int | None] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)


class UnreadableDraft(Exception):
    """The blob does not open with this link (never expected: the link found the draft)."""


def _key(token: str) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE)
    return AESGCM(derived.derive(token.encode("utf-8")))


def _context(draft_id: int) -> bytes:
    """Bound to its row: a blob copied onto another draft does not open there."""
    return b"draft:%d" % draft_id


def seal(content: Content, token: str, draft_id: int) -> bytes:
    plain = json.dumps(asdict(content), ensure_ascii=False, separators=(",", ":")).encode()
    padded = plain + b" " * (-len(plain) % PAD)  # JSON ignores trailing spaces
    nonce = os.urandom(12)
    return SEALED + nonce + _key(token).encrypt(nonce, padded, _context(draft_id))


def unseal(blob: bytes | None, token: str, draft_id: int) -> Content:
    if not blob:
        return Content()
    rest = blob[1:]
    try:
        plain = _key(token).decrypt(rest[:12], rest[12:], _context(draft_id))
    except InvalidTag as exc:
        raise UnreadableDraft() from exc
    return Content(**json.loads(plain))
