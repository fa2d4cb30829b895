"""SQLAlchemy 2 typed models.

Anonymity by design (see README): a response never holds a name, an e-mail address or a
token. While it is being filled in, its invitation points at it; on submit that pointer is
cut and the invitation is only marked used, so nobody can tell whose response is whose.
Submitted responses keep only the date, never a time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROUND_STATES = ("draft", "open", "closed")
RESPONSE_STATES = ("in_progress", "submitted")


class Base(DeclarativeBase):
    pass


class Association(Base):
    """A samordningsförbund."""

    __tablename__ = "association"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Synthetic demo data, so `survey demo` knows what it may replace.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    rounds: Mapped[list[Round]] = relationship(back_populates="association")


class AgencyType(Base):
    """A kind of member agency (Försäkringskassan, Arbetsförmedlingen, kommun, region…).

    Upserted from the `agency` background question of each loaded questionnaire, so the
    choices in the file and the labels shown in charts stay one list.
    """

    __tablename__ = "agency_type"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_sv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))


class Questionnaire(Base):
    """One version of an instrument. Immutable once a round uses it."""

    __tablename__ = "questionnaire"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    title_sv: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    #: The validated file as plain data, so a round can always be rendered as it was asked.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_sha256: Mapped[str] = mapped_column(String(64))

    dimensions: Mapped[list[Dimension]] = relationship(
        back_populates="questionnaire", order_by="Dimension.position"
    )
    items: Mapped[list[Item]] = relationship(
        back_populates="questionnaire", order_by="Item.position"
    )


class Dimension(Base):
    __tablename__ = "dimension"
    __table_args__ = (UniqueConstraint("questionnaire_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    code: Mapped[str] = mapped_column(String(40))
    group: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    name_sv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="dimensions")
    items: Mapped[list[Item]] = relationship(back_populates="dimension", order_by="Item.position")


class Item(Base):
    """A statement (påstående). `code` is stable across versions of a questionnaire."""

    __tablename__ = "item"
    __table_args__ = (UniqueConstraint("questionnaire_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    dimension_id: Mapped[int] = mapped_column(ForeignKey("dimension.id"))
    code: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    text_sv: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    reverse: Mapped[bool] = mapped_column(Boolean, default=False)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="items")
    dimension: Mapped[Dimension] = relationship(back_populates="items")


class Round(Base):
    """A survey round (mätomgång) of one förbund with one questionnaire version."""

    __tablename__ = "round"
    __table_args__ = (
        UniqueConstraint("association_id", "label"),
        CheckConstraint(f"state IN {ROUND_STATES}", name="round_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("association.id"))
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    #: e.g. "2026"; rounds of the same label across förbund form the national picture.
    label: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(10), default="draft")
    opens_on: Mapped[dt.date | None] = mapped_column(Date)
    closes_on: Mapped[dt.date | None] = mapped_column(Date)

    association: Mapped[Association] = relationship(back_populates="rounds")
    questionnaire: Mapped[Questionnaire] = relationship()


class Invitation(Base):
    """An invitation link. Only the SHA-256 of the token is stored."""

    __tablename__ = "invitation"
    __table_args__ = (CheckConstraint("kind IN ('personal', 'shared')", name="invitation_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default="personal")
    #: Set while a response is in progress; cut (NULL) when it is submitted.
    response_id: Mapped[int | None] = mapped_column(ForeignKey("response.id", ondelete="SET NULL"))
    used_on: Mapped[dt.date | None] = mapped_column(Date)

    round: Mapped[Round] = relationship()
    response: Mapped[Response | None] = relationship()


class Response(Base):
    """One person's answers in one round."""

    __tablename__ = "response"
    __table_args__ = (CheckConstraint(f"state IN {RESPONSE_STATES}", name="response_state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="in_progress")
    language: Mapped[str] = mapped_column(String(2), default="sv")
    role: Mapped[str | None] = mapped_column(String(40))
    agency: Mapped[str | None] = mapped_column(String(40))
    years: Mapped[str | None] = mapped_column(String(40))
    #: Only while in progress (to expire abandoned drafts); cleared on submit.
    saved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Date only: a time of day could tie a response to a person.
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)

    round: Mapped[Round] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )
    comments: Mapped[list[Comment]] = relationship(cascade="all, delete-orphan")


class Answer(Base):
    """One rating. `value` NULL means "vet ej" (don't know), never 0; no row means skipped."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("response_id", "item_id"),
        CheckConstraint("value IS NULL OR value BETWEEN 1 AND 5", name="answer_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    value: Mapped[int | None] = mapped_column(Integer)

    response: Mapped[Response] = relationship(back_populates="answers")
    item: Mapped[Item] = relationship()


class Comment(Base):
    """Optional free text per dimension; exported only on explicit request."""

    __tablename__ = "comment"
    __table_args__ = (UniqueConstraint("response_id", "dimension_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    dimension_id: Mapped[int] = mapped_column(ForeignKey("dimension.id"))
    text: Mapped[str] = mapped_column(Text)


def make_engine(url: str) -> Engine:
    """An engine with SQLite set up for concurrent web use (WAL, foreign keys on)."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    return engine
