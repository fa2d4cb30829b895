"""What respondents give: a draft while they answer, then a response per person with an
answer per statement and optional comments.

Anonymity by design: a draft and a submitted response are different rows. On submit the
answers are copied into a response whose key is random, and the draft is deleted, so
nothing joins a submitted response to its link, its draft or the order of submissions.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
    and_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db.models.base import Base
from survey.db.models.instruments import Item
from survey.db.models.rounds import Round

#: Keys have 52 bits, the top one set: exact wherever numbers are doubles (Excel, SPSS,
#: JavaScript), and 51 random bits make a clash between two responses vanishingly rare.
KEY_BITS = 52


def random_key() -> int:
    """A primary key that carries no order."""
    return (1 << (KEY_BITS - 1)) | secrets.randbits(KEY_BITS - 1)


class Draft(Base):
    """Answers in progress. Reachable from its link, by necessity (that is what resuming
    needs); deleted the moment the answers are submitted.

    Everything the respondent gave is in `sealed`, encrypted under a key derived from the
    link (survey.answering.sealing), so no copy of the database reads it, or matches it to
    a response, without the link. A draft saved before revision 0008 still has its
    answers in the plain columns and `draft_answer`/`draft_comment` rows until its next
    save, which seals them and empties those (`language` then stays "sv")."""

    __tablename__ = "draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    language: Mapped[str] = mapped_column(String(2), default="sv")
    role: Mapped[str | None] = mapped_column(String(40))
    agency: Mapped[str | None] = mapped_column(String(40))
    years: Mapped[str | None] = mapped_column(String(40))
    #: To expire abandoned drafts (data minimisation).
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)

    round: Mapped[Round] = relationship()
    answers: Mapped[list[DraftAnswer]] = relationship(cascade="all, delete-orphan")
    comments: Mapped[list[DraftComment]] = relationship(cascade="all, delete-orphan")


class DraftAnswer(Base):
    __tablename__ = "draft_answer"
    __table_args__ = (
        CheckConstraint("value IS NULL OR value BETWEEN 1 AND 5", name="draft_answer_value"),
    )

    draft_id: Mapped[int] = mapped_column(
        ForeignKey("draft.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    value: Mapped[int | None] = mapped_column(Integer)


class DraftComment(Base):
    __tablename__ = "draft_comment"

    draft_id: Mapped[int] = mapped_column(
        ForeignKey("draft.id", ondelete="CASCADE"), primary_key=True
    )
    dimension_id: Mapped[int] = mapped_column(ForeignKey("dimension.id"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)


#: Submitted rows keep no insertion order either: SQLite stores a table by its key only
#: WITHOUT ROWID (else a hidden, increasing rowid would number the submissions).
UNORDERED = {"sqlite_with_rowid": False}


class Response(Base):
    """One person's submitted answers in one round: final, and joined to nothing that
    names them — not the link, not the draft, not when or in which order it came in."""

    __tablename__ = "response"
    __table_args__ = (
        # What an answer's foreign key points at (see `Answer`): a round and a response
        # of it. A unique index (both databases accept one as a foreign key's target).
        Index("response_round_key", "round_id", "id", unique=True),
        UNORDERED,
    )

    id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False, default=random_key
    )
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    language: Mapped[str] = mapped_column(String(2), default="sv")
    role: Mapped[str | None] = mapped_column(String(40))
    agency: Mapped[str | None] = mapped_column(String(40))
    years: Mapped[str | None] = mapped_column(String(40))

    round: Mapped[Round] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )
    comments: Mapped[list[Comment]] = relationship(cascade="all, delete-orphan")


class Answer(Base):
    """One rating. `value` NULL means "vet ej" (don't know), never 0; no row means skipped.

    Keyed by (round, response, statement): `round_id` is the response's round, repeated
    here (the composite foreign key keeps the two equal) so that a round's answers lie
    together, in the table itself on SQLite (`WITHOUT ROWID`: stored in key order) and in
    the primary key's index on PostgreSQL (which carries `value` too, so the statistics
    can read the index alone). Within a round they lie in the order of the random response
    keys: no order of submission (docs/design.md, "One round's answers together").
    """

    __tablename__ = "answer"
    __table_args__ = (
        PrimaryKeyConstraint(
            "round_id", "response_id", "item_id", name="answer_pkey",
            postgresql_include=["value"],
        ),
        ForeignKeyConstraint(
            ["round_id", "response_id"], ["response.round_id", "response.id"],
            ondelete="CASCADE", name="answer_response_fkey",
        ),
        CheckConstraint("value IS NULL OR value BETWEEN 1 AND 5", name="answer_value"),
        UNORDERED,
    )  # fmt: skip

    round_id: Mapped[int] = mapped_column(Integer)
    response_id: Mapped[int] = mapped_column(BigInteger)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    value: Mapped[int | None] = mapped_column(Integer)

    response: Mapped[Response] = relationship(back_populates="answers")
    item: Mapped[Item] = relationship()


def answers_of_response() -> ColumnElement[bool]:
    """The join of `Answer` to its `Response`, on the whole key (round first, so that the
    primary key's index finds them)."""
    return and_(Answer.round_id == Response.round_id, Answer.response_id == Response.id)


class Comment(Base):
    """Optional free text per dimension; exported only on explicit request."""

    __tablename__ = "comment"
    __table_args__ = (UNORDERED,)

    response_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    dimension_id: Mapped[int] = mapped_column(ForeignKey("dimension.id"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)


class SubmissionDay(Base):
    """How many responses a round received on each day: the response rate's chart.

    A count, joined to nothing: no response carries a date, and this table says only how
    many came in on a day, which an administrator watching the live count sees anyway.
    """

    __tablename__ = "submission_day"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("round.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    submitted: Mapped[int] = mapped_column(Integer, default=0)
