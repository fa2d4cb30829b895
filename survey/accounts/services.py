"""Use cases of users and log-in, each one unit of work: the web, the command line and the
tests call these unchanged, and none of them commits on its own.

A failed log-in must be *stored* (the lock-out counter, the audit row) and still refused,
so those services decide inside the unit of work, let it commit, and raise afterwards.
Times are naive UTC, passed in (`now`) so tests can move the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey.accounts import lockout, passwords, sessions, totp, users
from survey.accounts.access import Principal
from survey.db import audit
from survey.db.engine import transaction
from survey.db.models import LoginSession, RecoveryCode, Role, User
from survey.errors import (
    AccountLocked,
    AccountSetupError,
    AuthenticationFailed,
    SecondFactorFailed,
    SurveyError,
)
from survey.i18n import N_

T = TypeVar("T")

#: What a log-in needs after the password.
DONE, CODE, ENROL = "done", "code", "enrol"


@dataclass(frozen=True)
class LoginStep:
    principal: Principal
    #: DONE: logged in; CODE: a TOTP or recovery code comes next; ENROL: logged in, but the
    #: role needs two-factor, so enrolment is all the session may do until it is set up.
    next: str


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str


def refuse_password_login(session: Session, email: str, now: dt.datetime) -> None:
    """A password posted while password log-in is switched off (federation.yaml
    `password_login: false`): refused without looking at the password, and in the audit log
    as every refused log-in, naming the account asked for where there is one. Not counted
    against the account: no password was tried."""
    with transaction(session):
        user = users.find_user(session, email)
        actor = user.email if user is not None else None  # as a locked account's refusal
        audit.record(session, actor, "login_failed", at=now, reason="passwords_off")


def authenticate(session: Session, email: str, password: str, now: dt.datetime) -> LoginStep:
    """The password step. Wrong password and unknown e-mail raise the same
    AuthenticationFailed; a locked account raises AccountLocked with its end."""
    return _decided(session, _password_step, email, password, now)


def _decided(session: Session, step: Callable[..., T | SurveyError], *args: Any, **kw: Any) -> T:
    """Run a log-in step as one unit of work that is stored even when the step refuses
    (the failure counts), then raise the refusal."""
    with transaction(session):
        outcome = step(session, *args, **kw)
    if isinstance(outcome, SurveyError):
        raise outcome
    return outcome


def _password_step(
    session: Session, email: str, password: str, now: dt.datetime
) -> LoginStep | SurveyError:
    user = users.find_user(session, email, lock=True)
    if user is None:
        passwords.verify(None, password)  # the same time as a real check
        # What was typed is not recorded: it may be someone's password in the wrong field.
        audit.record(session, None, "login_failed", at=now, reason="unknown")
        return AuthenticationFailed("wrong e-mail or password")
    try:
        lockout.ensure_unlocked(user, now)
    except AccountLocked as exc:
        audit.record(session, user.email, "login_failed", at=now, reason="locked")
        return exc
    if not passwords.verify(user.password_hash, password):
        return _failed(session, user, now, "login_failed", AuthenticationFailed("wrong password"))
    if passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = passwords.hash_password(password)
    principal = users.principal_of(user)
    if user.totp_secret is not None:
        # The count is reset only once the code is right too, or a known password would
        # give unlimited guesses at the code.
        return LoginStep(principal, CODE)
    lockout.register_success(user, now)
    audit.record(session, user.email, "login", at=now, second_factor="none")
    return LoginStep(principal, ENROL if principal.must_enrol else DONE)


def _failed(
    session: Session, user: User, now: dt.datetime, action: str, error: SurveyError
) -> SurveyError:
    """Count a failure against the account; the failure that locks it says until when."""
    audit.record(session, user.email, action, at=now)
    if lockout.register_failure(user, now):
        until = user.locked_until or now
        audit.record(session, None, "account_locked", user.email, at=now, until=until.isoformat())
        return AccountLocked(until)
    return error


def verify_second_factor(session: Session, user_id: int, code: str, now: dt.datetime) -> Principal:
    """The code step: a TOTP code, or else one of the user's recovery codes (spent)."""
    return _decided(session, _code_step, user_id, code, now, recovery_only=False)


def use_recovery_code(session: Session, user_id: int, code: str, now: dt.datetime) -> Principal:
    return _decided(session, _code_step, user_id, code, now, recovery_only=True)


def _code_step(
    session: Session, user_id: int, code: str, now: dt.datetime, *, recovery_only: bool
) -> Principal | SurveyError:
    user = users.locked_user(session, user_id)
    if user is None or user.totp_secret is None:
        return SecondFactorFailed("no authenticator is set up for this account")
    try:
        lockout.ensure_unlocked(user, now)
    except AccountLocked as exc:
        return exc
    if not recovery_only and totp.looks_like_totp(code):
        kind, accepted = "totp", _accept_totp(user, user.totp_secret, code, now)
    else:
        kind, accepted = "recovery_code", _spend_recovery_code(session, user, code)
    if not accepted:
        return _failed(session, user, now, "second_factor_failed", SecondFactorFailed("wrong code"))
    lockout.register_success(user, now)
    left = _recovery_codes_left(session, user) if kind == "recovery_code" else None
    audit.record(session, user.email, "login", at=now, second_factor=kind, codes_left=left)
    return users.principal_of(user)


def _accept_totp(user: User, secret: str, code: str, now: dt.datetime) -> bool:
    """A code of the window, newer than the last one accepted (no replay)."""
    step = totp.matching_step(secret, code, now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def _spend_recovery_code(session: Session, user: User, code: str) -> bool:
    row = session.scalar(
        select(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == totp.recovery_hash(code),
            RecoveryCode.used.is_(False),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        return False
    row.used = True
    return True


def _recovery_codes_left(session: Session, user: User) -> int:
    codes = session.scalars(select(RecoveryCode.used).where(RecoveryCode.user_id == user.id))
    return sum(1 for used in codes if not used)


def enroll_totp(session: Session, user_id: int) -> Enrolment:
    """The secret to put in an authenticator app; the same until it is confirmed."""
    with transaction(session):
        user = _user(session, user_id)
        if user.totp_pending_secret is None:
            user.totp_pending_secret = totp.new_secret()
        secret = user.totp_pending_secret
        return Enrolment(secret, totp.provisioning_uri(secret, user.email))


def confirm_totp(session: Session, user_id: int, code: str, now: dt.datetime) -> list[str]:
    """Confirm enrolment with a code from the app; returns new recovery codes, shown once
    (earlier ones stop working)."""
    with transaction(session):
        user = _user(session, user_id)
        secret = user.totp_pending_secret
        if secret is None or not _accept_totp(user, secret, code, now):
            raise SecondFactorFailed("wrong code")
        user.totp_secret, user.totp_pending_secret = secret, None
        codes = _new_recovery_codes(session, user)
        audit.record(session, user.email, "totp_enrolled", user.email, at=now)
        return codes


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = totp.new_recovery_codes()
    session.add_all(RecoveryCode(user_id=user.id, code_hash=totp.recovery_hash(c)) for c in codes)
    return codes


def _user(session: Session, user_id: int) -> User:
    user = users.locked_user(session, user_id)
    if user is None:
        raise AccountSetupError(N_("no such user"))
    return user


def logout(session: Session, email: str, session_id: str, now: dt.datetime) -> None:
    """End this log-in session on the server (a copy of its cookie opens nothing after)."""
    with transaction(session):
        session.execute(
            delete(LoginSession).where(LoginSession.id_hash == sessions.id_hash(session_id))
        )
        audit.record(session, email, "logout", at=now)


def add_user(
    session: Session,
    email: str,
    role: str,
    forbund: str | None,
    *,
    actor: str | None,
    now: dt.datetime,
) -> tuple[User, str]:
    """A new user with one role and a one-time set-password token (returned once)."""
    with transaction(session):
        user = users.create_user(session, email, now)
        users.add_role(session, user, role, forbund)
        token = users.new_password_token(user, now)
        audit.record(session, actor, "user_added", user.email, at=now, role=role, forbund=forbund)
        return user, token


def add_role(
    session: Session, email: str, role: str, forbund: str | None, *, actor: str | None, now
) -> User:
    """One more role for an existing user (a person may hold roles in several förbund)."""
    with transaction(session):
        user = users.existing_user(session, email)
        users.add_role(session, user, role, forbund)
        audit.record(session, actor, "role_added", user.email, at=now, role=role, forbund=forbund)
        return user


def remove_role(
    session: Session,
    email: str,
    role: str,
    forbund: str | None,
    *,
    actor: str | None,
    now: dt.datetime,
) -> User:
    """Take one role from a user; their other roles (and their account) stay."""
    with transaction(session):
        user = users.existing_user(session, email)
        _not_yourself(user, actor, role)
        users.remove_role(session, user, role, forbund)
        sessions.end_all(session, user.id)  # they log in again with the roles left
        audit.record(session, actor, "role_removed", user.email, at=now, role=role, forbund=forbund)
        return user


def remove_user(session: Session, email: str, *, actor: str | None, now: dt.datetime) -> None:
    """Delete a user with their roles and recovery codes; their audit rows stay (by e-mail)."""
    with transaction(session):
        user = users.existing_user(session, email)
        _not_yourself(user, actor, None)
        session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        sessions.end_all(session, user.id)
        session.delete(user)
        audit.record(session, actor, "user_removed", user.email, at=now)


def _not_yourself(user: User, actor: str | None, role: str | None) -> None:
    """Administrators cannot lock themselves out: no removing one's own account or one's
    own system administration (another system administrator can)."""
    if actor == user.email and role in (None, Role.SYSTEM_ADMIN):
        raise AccountSetupError(
            N_("you cannot remove your own account or your own system administration")
        )


def issue_set_password_link(
    session: Session, email: str, *, actor: str | None, now: dt.datetime
) -> str:
    """A new one-time set-password token for the user; any earlier link stops working."""
    with transaction(session):
        user = users.existing_user(session, email)
        token = users.new_password_token(user, now)
        audit.record(session, actor, "password_link_issued", user.email, at=now)
        return token


def password_link_email(session: Session, token: str, now: dt.datetime) -> str:
    """Whose set-password link this is (for its page); InvalidPasswordLink if none."""
    return users.user_by_password_token(session, token, now).email


def set_password(session: Session, token: str, password: str, now: dt.datetime) -> Principal:
    """Set the password through a one-time link: the link is spent and every session of
    the user made before logs out."""
    with transaction(session):
        user = users.user_by_password_token(session, token, now)
        users.change_password(user, password)
        sessions.end_all(session, user.id)
        audit.record(session, user.email, "password_set", user.email, at=now)
        return users.principal_of(user)


def set_research_agreement(
    session: Session, email: str, agreed: bool, *, actor: str | None, now: dt.datetime
) -> User:
    with transaction(session):
        user = users.existing_user(session, email)
        user.research_agreement = agreed
        audit.record(session, actor, "research_agreement", user.email, at=now, agreed=agreed)
        return user


def list_users(session: Session) -> list[User]:
    """Every user with their roles, by e-mail (read only)."""
    return users.all_users(session)


def find_email(session: Session, email: str) -> bool:
    """Whether a user with this e-mail exists (read only; for the command line)."""
    return users.find_user(session, email) is not None
