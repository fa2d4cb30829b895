"""Users and their roles: creating, finding, one-time set-password links, changing the
password. Nothing here commits; `services` wraps these in units of work."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from survey.accounts import passwords
from survey.accounts.access import Principal, is_system_wide
from survey.db.models import Membership, Role, User
from survey.errors import AccountSetupError, InvalidPasswordLink
from survey.i18n import N_
from survey.rounds.associations import find_association
from survey.rounds.invitations import hash_token

#: A set-password link is for the person it was sent to, soon; a new one replaces it.
LINK_LIFETIME = dt.timedelta(hours=72)
#: Path of the set-password page; the token follows it.
SET_PASSWORD_PATH = "/set-password/"
#: Deliberately loose: one @, no spaces. Whether mail arrives is the real test.
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    """E-mail addresses compare lower-cased and trimmed, as people type them."""
    email = (email or "").strip().lower()
    if len(email) > 254 or not _EMAIL_RE.match(email):
        raise AccountSetupError(N_("'%(email)s' is not an e-mail address"), email=email[:254])
    return email


def find_user(session: Session, email: str, *, lock: bool = False) -> User | None:
    """The user with this e-mail (any case), or None; `lock` takes the row lock that a
    log-in's counters need (PostgreSQL; SQLite's unit of work holds the write lock)."""
    stmt = select(User).where(User.email == (email or "").strip().lower())
    return session.scalar(_locked(stmt) if lock else stmt)


def _locked(stmt):
    """The row lock, and the row as it is now even where the session held it already (a
    count another process changed must not be overwritten with a stale one)."""
    return stmt.with_for_update().execution_options(populate_existing=True)


def existing_user(session: Session, email: str) -> User:
    user = find_user(session, email, lock=True)
    if user is None:
        raise AccountSetupError(
            N_("no user with the e-mail '%(email)s'"), email=email.strip().lower()[:254]
        )
    return user


def create_user(session: Session, email: str, now: dt.datetime, *, is_demo: bool = False) -> User:
    email = normalise_email(email)
    if find_user(session, email) is not None:
        raise AccountSetupError(
            N_("a user with the e-mail '%(email)s' already exists"), email=email
        )
    user = User(email=email, created_at=now, is_demo=is_demo, failed_logins=0, session_version=1)
    session.add(user)
    session.flush()
    return user


def add_role(session: Session, user: User, role: str, forbund: str | None) -> Membership:
    """Give `user` a role: system-wide roles take no förbund, the others need one."""
    try:
        role = Role(role)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise AccountSetupError(
            N_("unknown role '%(role)s' (one of: %(known)s)"), role=str(role)[:40], known=known
        ) from None
    if is_system_wide(role) and forbund:
        raise AccountSetupError(
            N_("the role %(role)s holds system-wide: give no förbund"), role=role.value
        )
    if not is_system_wide(role) and not forbund:
        raise AccountSetupError(
            N_("the role %(role)s is held in a förbund: give --forbund"), role=role.value
        )
    association_id = find_association(session, forbund).id if forbund else None
    if any(m.role == role and m.association_id == association_id for m in user.memberships):
        raise AccountSetupError(
            N_("%(email)s already has the role %(role)s there"), email=user.email, role=role.value
        )
    membership = Membership(role=role, association_id=association_id)
    user.memberships.append(membership)
    session.flush()
    return membership


def new_password_token(user: User, now: dt.datetime) -> str:
    """A one-time set-password token, returned once; only its hash is kept. A new token
    replaces any earlier one."""
    token = secrets.token_urlsafe(32)
    user.password_token_hash = hash_token(token)
    user.password_token_expires = now + LINK_LIFETIME
    return token


def user_by_password_token(session: Session, token: str, now: dt.datetime) -> User:
    user = session.scalar(
        _locked(select(User).where(User.password_token_hash == hash_token(token)))
    )
    expires = user.password_token_expires if user else None
    if user is None or expires is None or expires <= now:
        raise InvalidPasswordLink("this set-password link is wrong, used or expired")
    return user


def change_password(user: User, password: str) -> None:
    """Set a new password: the link is spent and every session made before logs out."""
    passwords.check_new_password(password, user.email)
    user.password_hash = passwords.hash_password(password)
    user.password_token_hash = None
    user.password_token_expires = None
    user.session_version = (user.session_version or 0) + 1
    # A person who proves they own the account by its link starts with a clean slate.
    user.failed_logins = 0
    user.locked_until = None


def principal_of(user: User) -> Principal:
    return Principal(
        user_id=user.id,
        email=user.email,
        session_version=user.session_version,
        roles=frozenset((Role(m.role), m.association_id) for m in user.memberships),
        has_totp=user.totp_secret is not None,
        research_agreement=user.research_agreement,
        is_demo=user.is_demo,
    )


def locked_user(session: Session, user_id: int) -> User | None:
    return session.scalar(_locked(select(User).where(User.id == user_id)))


def all_users(session: Session) -> list[User]:
    stmt = (
        select(User)
        .options(selectinload(User.memberships).selectinload(Membership.association))
        .order_by(User.email)
    )
    return list(session.scalars(stmt))


def remove_role(session: Session, user: User, role: str, forbund: str | None) -> None:
    """Take one role from `user` (the förbund's, or the system-wide one)."""
    association_id = find_association(session, forbund).id if forbund else None
    held = [m for m in user.memberships if m.role == role and m.association_id == association_id]
    if not held:
        raise AccountSetupError(
            N_("%(email)s does not have the role %(role)s there"),
            email=user.email,
            role=str(role)[:40],
        )
    for membership in held:
        user.memberships.remove(membership)
    session.flush()
