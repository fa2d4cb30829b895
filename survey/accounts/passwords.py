"""Passwords: argon2id hashes (argon2-cffi), the few rules a new password must meet."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from survey.errors import PasswordRejected

#: NIST SP 800-63B: length is what makes a password strong; no composition rules.
MIN_LENGTH = 12
#: Hashing a megabyte of "password" would let anyone keep the server busy.
MAX_LENGTH = 256

_hasher = PasswordHasher()


def check_new_password(password: str, email: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordRejected("too_short", MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise PasswordRejected("too_long", MAX_LENGTH)
    if password.strip().lower() == email.strip().lower():
        raise PasswordRejected("is_email")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; a user without a password matches nothing, but costs
    the same time, so the answer's speed does not tell whether an account exists."""
    if password_hash is None or len(password) > MAX_LENGTH:
        _burn(password[:MAX_LENGTH])
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's (rehash at log-in)."""
    return _hasher.check_needs_rehash(password_hash)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not a password of anyone")


def _burn(password: str) -> None:
    try:
        _hasher.verify(_dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        pass
