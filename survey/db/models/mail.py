"""E-mail invitations and reminders: the addresses of a round, the outbox the worker works
off, and a förbund's own texts.

Addresses are kept apart from everything about answers (README, "E-mail invitations and
reminders"): a recipient row holds no reference to an invitation, a draft or a response.
Its `link_seed` gives the person's link only together with the app's SECRET_KEY, so a copy
of the database cannot tell which invitation is whose. The rows are deleted when the round
closes.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db.models.base import Base, check_in


class MailLanguage(StrEnum):
    SV = "sv"
    EN = "en"


class MessageKind(StrEnum):
    INVITATION = "invitation"
    REMINDER = "reminder"


class MessageStatus(StrEnum):
    #: Waiting to be sent (again, after a temporary failure, from `next_attempt_at`).
    QUEUED = "queued"
    #: Claimed by a worker, which is talking to the SMTP server.
    SENDING = "sending"
    SENT = "sent"
    #: Refused for good, or given up after the last attempt; `last_error` says why.
    FAILED = "failed"
    #: A worker stopped while sending it: it may or may not have arrived, so it is never
    #: sent again automatically.
    INTERRUPTED = "interrupted"
    #: Not sent because it no longer applied (the round stopped taking answers, or the
    #: person answered before the reminder went out).
    CANCELLED = "cancelled"


class MailRecipient(Base):
    """One address invited to one round by e-mail."""

    __tablename__ = "mail_recipient"
    __table_args__ = (
        UniqueConstraint("round_id", "address"),
        CheckConstraint(check_in("language", MailLanguage), name="mail_recipient_language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    #: Lower-cased, as typed otherwise.
    address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2))
    #: Random; with a key derived from SECRET_KEY it gives this person's link token
    #: (survey/mail/links.py). Never the token itself.
    link_seed: Mapped[str] = mapped_column(String(32), unique=True)

    messages: Mapped[list[MailMessage]] = relationship(
        back_populates="recipient", cascade="all, delete-orphan", passive_deletes=True
    )


class MailMessage(Base):
    """One message in the outbox. The text is not kept: it is made when it is sent, so the
    database never holds a link."""

    __tablename__ = "mail_message"
    __table_args__ = (
        CheckConstraint(check_in("kind", MessageKind), name="mail_message_kind"),
        CheckConstraint(check_in("status", MessageStatus), name="mail_message_status"),
        Index("ix_mail_message_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("mail_recipient.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12), default=MessageStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    queued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    #: Not before this (UTC): the back-off after a temporary failure.
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    recipient: Mapped[MailRecipient] = relationship(back_populates="messages")


class MailText(Base):
    """A förbund's own subject and body for one kind of message in one language; where
    none is saved, the catalogue's default is used."""

    __tablename__ = "mail_text"
    __table_args__ = (
        UniqueConstraint("association_id", "kind", "language"),
        CheckConstraint(check_in("kind", MessageKind), name="mail_text_kind"),
        CheckConstraint(check_in("language", MailLanguage), name="mail_text_language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(
        ForeignKey("association.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    language: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)


class MailWorkerBeat(Base):
    """The mail worker's last sign of life (one row, id 1): when its last pass ran and what
    it did, so the mail page can say whether mail is being sent."""

    __tablename__ = "mail_worker_beat"

    id: Mapped[int] = mapped_column(primary_key=True)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_pass: Mapped[str] = mapped_column(String(200))
