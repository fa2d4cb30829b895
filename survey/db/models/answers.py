"""What respondents give: a response per person, an answer per statement, comments."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db.models.base import Base, check_in
from survey.db.models.instruments import Item
from survey.db.models.rounds import Round


class ResponseState(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class Response(Base):
    """One person's answers in one round."""

    __tablename__ = "response"
    __table_args__ = (CheckConstraint(check_in("state", ResponseState), name="response_state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    state: Mapped[ResponseState] = mapped_column(String(12), default=ResponseState.IN_PROGRESS)
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
