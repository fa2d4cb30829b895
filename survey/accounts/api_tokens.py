"""Personal API tokens: made by a user for one of their own roles, shown once, kept only as
a SHA-256 hash, with an expiry and a revocation; every call they authorise is written to the
audit log with the token's last use. No Flask here: the API blueprint (survey/web/api)
passes the `Authorization: Bearer` value in and gets a `Caller` or an `ApiDenied` back.

Scopes: "aggregates" reads one förbund's published figures (a board member's or
administrator's role in it; a system administrator may name any förbund); "research" reads
every förbund's published figures and the recoded respondent rows (a researcher's or system
administrator's role, as the research exports). A token is worth no more than the role
behind it: remove the role and the token stops working at its next call.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from survey.accounts.access import Principal
from survey.accounts.users import principal_of
from survey.db import audit
from survey.db.engine import transaction
from survey.db.models import ApiToken, Association, Role, TokenScope, User
from survey.errors import ApiDenied, ApiTokenRefused
from survey.i18n import N_

PREFIX = "smk_"  # tells a leaked token for what it is (secret scanners, logs)
MAX_DAYS = 365
DEFAULT_DAYS = 90
NAME_LENGTH = 80
#: Roles in a förbund whose holders read its published aggregates.
AGGREGATE_ROLES = (Role.BOARD, Role.FORBUND_ADMIN)


@dataclass(frozen=True)
class Issued:
    """A new token: `secret` is shown once and never stored."""

    secret: str
    token: ApiToken


@dataclass(frozen=True)
class Caller:
    """Who is calling the API, as plain data for the routes."""

    token_id: int
    email: str
    scope: TokenScope
    association_slug: str | None  # the one förbund of an aggregates token

    @property
    def research(self) -> bool:
        return self.scope == TokenScope.RESEARCH

    def may_see(self, slug: str) -> bool:
        """A förbund's published aggregates: every one for research, else its own."""
        return self.research or slug == self.association_slug


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _may_hold(principal: Principal, scope: TokenScope, association_id: int | None) -> bool:
    if scope == TokenScope.RESEARCH:
        return principal.may_read_row_level
    return principal.is_system_admin or association_id in principal.associations(*AGGREGATE_ROLES)


def scopes_for(session: Session, principal: Principal) -> list[tuple[str, str | None]]:
    """What this user may make a token for: ("research", None) and ("aggregates", slug)."""
    choices: list[tuple[str, str | None]] = []
    if principal.may_read_row_level:
        choices.append((TokenScope.RESEARCH.value, None))
    stmt = select(Association.id, Association.slug).order_by(Association.name)
    for association_id, slug in session.execute(stmt):
        if _may_hold(principal, TokenScope.AGGREGATES, association_id):
            choices.append((TokenScope.AGGREGATES.value, slug))
    return choices


def issue(
    session: Session,
    principal: Principal,
    name: str,
    scope: str,
    forbund: str | None,
    days: int,
    now: dt.datetime,
) -> Issued:
    """A new token for one of the user's own roles; ApiTokenRefused says what is wrong."""
    name = name.strip()
    if not name or len(name) > NAME_LENGTH:
        raise ApiTokenRefused(
            N_("Give the token a name of at most %(limit)s characters."),
            field="name",
            limit=NAME_LENGTH,
        )
    if not 1 <= days <= MAX_DAYS:
        raise ApiTokenRefused(
            N_("A token lives from 1 to %(limit)s days."), field="days", limit=MAX_DAYS
        )
    try:
        wanted = TokenScope(scope)
    except ValueError:
        raise ApiTokenRefused(N_("Choose what the token may read."), field="scope") from None
    with transaction(session):
        association_id = None
        if wanted == TokenScope.AGGREGATES:
            association_id = session.scalar(
                select(Association.id).where(Association.slug == (forbund or ""))
            )
        if (wanted == TokenScope.AGGREGATES and association_id is None) or not _may_hold(
            principal, wanted, association_id
        ):
            raise ApiTokenRefused(
                N_("You can only make a token for a role you hold."), field="scope"
            )
        secret = PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(
            user_id=principal.user_id,
            name=name,
            token_hash=token_hash(secret),
            scope=wanted,
            association_id=association_id,
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        session.add(token)
        session.flush()
        audit.record(
            session,
            principal.email,
            "api_token_created",
            f"token:{token.id}",
            at=now,
            scope=wanted.value,
            forbund=forbund if association_id else None,
            expires=token.expires_at.isoformat(timespec="seconds"),
        )
    return Issued(secret, token)


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    """The user's tokens, newest first, with their förbund (for the account page)."""
    stmt = (
        select(ApiToken)
        .where(ApiToken.user_id == user_id)
        .options(selectinload(ApiToken.association))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(session.scalars(stmt))


def revoke(session: Session, principal: Principal, token_id: int, now: dt.datetime) -> None:
    """End one of the user's own tokens now (a second revocation changes nothing)."""
    with transaction(session):
        token = session.get(ApiToken, token_id)
        if token is None or token.user_id != principal.user_id:
            raise ApiTokenRefused(N_("No such token among yours."), field="token")
        if token.revoked_at is None:
            token.revoked_at = now
            audit.record(session, principal.email, "api_token_revoked", f"token:{token.id}", at=now)


def authenticate(
    session: Session, authorization: str | None, now: dt.datetime, path: str
) -> Caller:
    """The caller behind an `Authorization: Bearer …` header, the call written to the audit
    log with the token's last use; ApiDenied (nothing written) for a missing, unknown,
    expired or revoked token, or one whose role its user no longer holds."""
    scheme, _sep, secret = (authorization or "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise ApiDenied(
            "missing_token", "Send a personal API token: Authorization: Bearer <token>."
        )
    stmt = (
        select(ApiToken)
        .where(ApiToken.token_hash == token_hash(secret))
        .options(
            selectinload(ApiToken.association),
            selectinload(ApiToken.user).selectinload(User.memberships),
        )
    )
    token = session.scalar(stmt)
    if token is None:
        raise ApiDenied("invalid_token", "This API token is not known.")
    if token.revoked_at is not None:
        raise ApiDenied("revoked_token", "This API token was revoked.")
    if token.expires_at <= now:
        raise ApiDenied("expired_token", "This API token has expired; make a new one.")
    if not _may_hold(principal_of(token.user), TokenScope(token.scope), token.association_id):
        raise ApiDenied("revoked_token", "The role behind this API token is no longer held.")
    caller = Caller(
        token.id,
        token.user.email,
        TokenScope(token.scope),
        token.association.slug if token.association else None,
    )
    session.rollback()  # end the read: the unit of work below starts clean
    with transaction(session):
        session.execute(
            update(ApiToken).where(ApiToken.id == caller.token_id).values(last_used_at=now)
        )
        audit.record(session, caller.email, "api_call", path[:300], at=now, token=caller.token_id)
    return caller
