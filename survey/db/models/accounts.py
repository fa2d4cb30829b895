"""People who log in (administrators, boards, researchers), their roles and the audit log.

Nothing here is ever joined to answers: respondents never log in, and the audit log holds
no respondent data and no token (README, "Log-in and roles").
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db.models.base import Base, check_in
from survey.db.models.rounds import Association


class Role(StrEnum):
    SYSTEM_ADMIN = "system_admin"
    #: Per förbund: runs its rounds, sees counts, never answers.
    FORBUND_ADMIN = "forbund_admin"
    #: Per förbund: the board and the beredningsgrupp, who read the published figures.
    BOARD = "board"
    RESEARCHER = "researcher"


#: Roles that hold for the whole system; the others are held in one förbund.
SYSTEM_ROLES = (Role.SYSTEM_ADMIN, Role.RESEARCHER)


def _system_wide_check() -> str:
    listed = ", ".join(f"'{r.value}'" for r in SYSTEM_ROLES)
    return f"(association_id IS NULL) = (role IN ({listed}))"


class User(Base):
    """A person who logs in. The e-mail is stored lower-cased, so it is unique as people
    type it; the password only as an argon2 hash, the set-password token only as SHA-256."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: None until the person has used their set-password link.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    #: Base32 TOTP secret once enrolment is confirmed with a code.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: Shown during enrolment, until confirmed with a code (then moved to totp_secret).
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    #: The last TOTP time step accepted, so a code observed once cannot be replayed.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    #: Failed log-ins since the last success or lock, counted here so every process sees them.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Bumped on a password change: a log-in half done (password given, code not yet)
    #: under the old password cannot be finished. Sessions themselves: LoginSession.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    password_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_token_expires: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: An approved agreement for unrecoded research files.
    research_agreement: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Made by `survey demo` with a published password; removed with the demo data.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class Membership(Base):
    """One role of a user: in one förbund, or system-wide (no förbund)."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "association_id"),
        CheckConstraint(check_in("role", Role), name="membership_role"),
        CheckConstraint(_system_wide_check(), name="membership_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(String(20))
    association_id: Mapped[int | None] = mapped_column(
        ForeignKey("association.id", ondelete="CASCADE")
    )

    user: Mapped[User] = relationship(back_populates="memberships")
    association: Mapped[Association | None] = relationship()


class RecoveryCode(Base):
    """A one-time code for when the authenticator app is lost; only its SHA-256 is stored
    (80 random bits, so a copy of the database cannot guess it back)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginSession(Base):
    """One signed-in browser. Its cookie holds a random id; only that id's SHA-256 is kept
    here, so a copy of the database opens no session. Log-out, a password change and the
    removal of a role or of the user delete the rows; survey/accounts/sessions.py ends a
    session idle or old past its limits on the next request."""

    __tablename__ = "login_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    #: Logged in through an identity provider whose level of assurance counts as two
    #: factors (survey/federation/linking.py): no TOTP enrolment is asked of this session.
    federated_two_factor: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )


class FederatedIdentity(Base):
    """A user's account at an identity provider (OIDC or SAML), linked on the first
    federated log-in: the stable identifier is the issuer and the subject (OIDC `sub`, SAML
    NameID or the configured attribute), never a display name. survey/federation/linking.py."""

    __tablename__ = "federated_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: The provider's `id` in instance/federation.yaml.
    provider_id: Mapped[str] = mapped_column(String(64))
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(300))
    linked_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AuditEvent(Base):
    """Who did what to what, and when: log-ins, user and role changes, round changes,
    exports. Never respondent data, passwords or tokens."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    #: The acting user's e-mail, "cli" for the command line, None when nobody is known.
    actor: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
