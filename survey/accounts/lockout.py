"""Lock-out after repeated failed log-ins, counted in the database (so it holds across
server processes and restarts); the caller holds the user's row lock."""

from __future__ import annotations

import datetime as dt

from survey.db.models import User
from survey.errors import AccountLocked

MAX_FAILURES = 5
LOCK_TIME = dt.timedelta(minutes=15)


def ensure_unlocked(user: User, now: dt.datetime) -> None:
    if user.locked_until is not None and user.locked_until > now:
        raise AccountLocked(user.locked_until)


def register_failure(user: User, now: dt.datetime) -> bool:
    """Count a failed password or code; True when this failure locked the account. The
    count starts again after a lock, so each lock allows MAX_FAILURES more tries."""
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins < MAX_FAILURES:
        return False
    user.failed_logins = 0
    user.locked_until = now + LOCK_TIME
    return True


def register_success(user: User, now: dt.datetime) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
