"""Log-in sessions kept on the server: the browser's cookie holds only a random id, and a
row here (its SHA-256, the user, when it began, when it was last used) decides on every
request whether the session still holds.

A session ends at log-out, after IDLE_ROW_LEVEL (roles that read row-level data) or
IDLE_OTHERS without a request, MAX_AGE after the log-in, and when the user's password
changes, one of their roles is removed or the user is removed: the row is gone, so a copy
of the cookie made before opens nothing. Times are naive UTC, passed in (`now`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload

from survey.accounts import users
from survey.accounts.access import Principal
from survey.db.engine import transaction
from survey.db.models import LoginSession, User
from survey.errors import StorageUnavailable
from survey.rounds.invitations import hash_token

#: Without a request for this long a session ends: researchers and system administrators
#: (row-level data) soon, everyone else after a working session's pause.
IDLE_ROW_LEVEL = dt.timedelta(minutes=30)
IDLE_OTHERS = dt.timedelta(hours=2)
#: However active, a session ends this long after its log-in.
MAX_AGE = dt.timedelta(hours=12)
#: The last-seen time is written at most this often (a write per request would contend on
#: SQLite); the idle limits hold to within it.
TOUCH_EVERY = dt.timedelta(minutes=1)


def start(
    session: Session, user_id: int, now: dt.datetime, *, federated_two_factor: bool = False
) -> str:
    """A new session for the user; returns its id for the cookie (only the hash is kept).
    The user's sessions that have ended by now are cleared away on the way.
    `federated_two_factor`: an identity provider's assurance stood for the second factor."""
    token = secrets.token_urlsafe(32)
    with transaction(session):
        session.execute(
            delete(LoginSession).where(
                LoginSession.user_id == user_id,
                (LoginSession.created_at <= now - MAX_AGE)
                | (LoginSession.last_seen_at <= now - IDLE_OTHERS),
            )
        )
        session.add(
            LoginSession(
                id_hash=id_hash(token),
                user_id=user_id,
                created_at=now,
                last_seen_at=now,
                federated_two_factor=federated_two_factor,
            )
        )
    return token


def resume(session: Session, token: str, now: dt.datetime) -> Principal | None:
    """The user of a session that still holds (its use noted), or None: unknown, ended,
    or idle or old past its limits (then it is ended here)."""
    key = id_hash(token)
    row = session.scalar(select(LoginSession).where(LoginSession.id_hash == key))
    if row is None:
        return None
    user = session.scalar(
        select(User).where(User.id == row.user_id).options(selectinload(User.memberships))
    )
    if user is None:
        return None
    principal = users.principal_of(user)
    if row.federated_two_factor:
        principal = dataclasses.replace(principal, federated_two_factor=True)
    idle = IDLE_ROW_LEVEL if principal.may_read_row_level else IDLE_OTHERS
    if now - row.created_at >= MAX_AGE or now - row.last_seen_at >= idle:
        _write(session, delete(LoginSession).where(LoginSession.id_hash == key))
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        _write(
            session,
            update(LoginSession).where(LoginSession.id_hash == key).values(last_seen_at=now),
        )
    return principal


def _write(session: Session, statement) -> None:
    """A session's bookkeeping; a database that cannot take the write (read-only, full)
    still lets pages be read, and an ended session stays refused by its times."""
    try:
        with transaction(session):
            session.execute(statement)
    except StorageUnavailable:
        pass


def id_hash(token: str) -> str:
    return hash_token(token)


def end_all(session: Session, user_id: int) -> None:
    """Every session of the user ends (inside the caller's unit of work)."""
    session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
