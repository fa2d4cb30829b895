"""Personal API tokens: a user's key for the read-only API (/api/v1), made on their account
page for one of their own roles. Only the token's SHA-256 is kept (a copy of the database
opens no API), with its scope, expiry, revocation and last use."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db.models.accounts import User
from survey.db.models.base import Base, check_in
from survey.db.models.rounds import Association


class TokenScope(StrEnum):
    #: One förbund's published aggregates (a board member's or administrator's).
    AGGREGATES = "aggregates"
    #: Every förbund's published aggregates and the recoded rows (a researcher's).
    RESEARCH = "research"


class ApiToken(Base):
    __tablename__ = "api_token"
    __table_args__ = (
        CheckConstraint(check_in("scope", TokenScope), name="api_token_scope"),
        CheckConstraint(
            "(association_id IS NULL) = (scope = 'research')", name="api_token_association"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[TokenScope] = mapped_column(String(20))
    association_id: Mapped[int | None] = mapped_column(
        ForeignKey("association.id", ondelete="CASCADE")
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()
    association: Mapped[Association | None] = relationship()
