"""Two-factor codes: TOTP (RFC 6238, pyotp) and one-time recovery codes."""

from __future__ import annotations

import datetime as dt
import secrets

import pyotp
from pyotp.utils import strings_equal

from survey.rounds.invitations import hash_token

ISSUER = "Samverkansmätaren"
#: One 30-second step either side of now: a phone clock a little off still works.
WINDOW = 1
RECOVERY_CODES = 10
#: 16 characters of base32: 80 random bits, so only a hash needs to be kept.
_RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app takes (typed in or pasted, no QR service)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The time step `code` belongs to within the window, or None. `now` is naive UTC (as
    the database keeps it); pyotp would read a naive time as local."""
    code = "".join(code.split())
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now.replace(tzinfo=dt.UTC))
    for step in range(current - WINDOW, current + WINDOW + 1):
        if strings_equal(code, totp.generate_otp(step)):
            return step
    return None


def looks_like_totp(code: str) -> bool:
    return "".join(code.split()).isdigit()


def new_recovery_codes() -> list[str]:
    """Codes to show once, grouped in fours for reading: "abcd-efgh-ijkl-mnop"."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    return codes


def recovery_hash(code: str) -> str:
    """The stored form of a recovery code, as typed with or without dashes and spaces."""
    return hash_token("".join(ch for ch in code.lower() if ch.isalnum()))
