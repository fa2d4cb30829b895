"""Förbund, their survey rounds and the invitation links to them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db.models.base import Base, check_in
from survey.db.models.instruments import Questionnaire

if TYPE_CHECKING:
    from survey.db.models.answers import Draft


class RoundState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    #: Closed and its figures released: the only state in which results exist anywhere.
    PUBLISHED = "published"


class InvitationKind(StrEnum):
    PERSONAL = "personal"
    SHARED = "shared"


class Association(Base):
    """A samordningsförbund."""

    __tablename__ = "association"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Synthetic demo data, so `survey demo` knows what it may replace.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Whether users of other förbund see this förbund's name (else it is anonymised in
    #: comparisons); the authorisation rules read it.
    named_to_others: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The member agencies by name, one per line ("Försäkringskassan", "Norrsunds kommun"…),
    #: shown to administrators and in the privacy notice; reporting groups come from the
    #: questionnaire's `agency` question, not from here.
    members: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: Who answers questions about personal data for this förbund (its data protection
    #: officer or registrator: a name, an e-mail address); the privacy notice shows it.
    privacy_contact: Mapped[str] = mapped_column(Text, default="", server_default="")

    rounds: Mapped[list[Round]] = relationship(back_populates="association")


class Round(Base):
    """A survey round (mätomgång) of one förbund with one questionnaire version."""

    __tablename__ = "round"
    __table_args__ = (
        UniqueConstraint("association_id", "label"),
        UniqueConstraint("association_id", "sequence"),
        CheckConstraint(check_in("state", RoundState), name="round_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("association.id"))
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    #: e.g. "2026"; rounds of the same label across förbund form the national picture.
    label: Mapped[str] = mapped_column(String(40))
    #: The round's place in its förbund's time order (1, 2, …, set when it is created):
    #: "latest", "previous" and trends follow it, never the label, which may be "9" and
    #: "10" or "ht2025" and "vt2026".
    sequence: Mapped[int] = mapped_column(Integer)
    state: Mapped[RoundState] = mapped_column(String(10), default=RoundState.DRAFT)
    opens_on: Mapped[dt.date | None] = mapped_column(Date)
    closes_on: Mapped[dt.date | None] = mapped_column(Date)
    #: Scheduled by its administrator, carried out on each mail worker pass
    #: (survey/services/scheduling.py): a reminder this many days before the last day,
    #: and closing after the last day.
    remind_days_before: Mapped[int | None] = mapped_column(Integer)
    reminded_on: Mapped[dt.date | None] = mapped_column(Date)  # the scheduled one went
    close_after_last_day: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    #: N of the intervals' finite-population correction, fixed when the round stops
    #: taking answers (closed, or published past its last day): its personal links then,
    #: NULL with a shared link (anyone could answer) or none. Never changed afterwards, so
    #: what a board saw at publication stays what it sees.
    invited: Mapped[int | None] = mapped_column(Integer)
    #: Set for a round written by an import of earlier survey data (survey.imports): the
    #: file it came from, when (UTC) and by whom. NULL for rounds answered here.
    imported_from: Mapped[str | None] = mapped_column(String(200))
    imported_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    imported_by: Mapped[str | None] = mapped_column(String(200))

    association: Mapped[Association] = relationship(back_populates="rounds")
    questionnaire: Mapped[Questionnaire] = relationship()


class Invitation(Base):
    """An invitation link. Only the SHA-256 of the token is stored."""

    __tablename__ = "invitation"
    __table_args__ = (CheckConstraint(check_in("kind", InvitationKind), name="invitation_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[InvitationKind] = mapped_column(String(10), default=InvitationKind.PERSONAL)
    #: Set while answers are in progress; the draft is deleted when they are submitted.
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id", ondelete="SET NULL"))
    #: Whether the link was used to submit; never when (a date could tie it to a response).
    used: Mapped[bool] = mapped_column(Boolean, default=False)

    round: Mapped[Round] = relationship()
    draft: Mapped[Draft | None] = relationship()
