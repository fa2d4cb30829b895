"""What a förbund makes of a published round (issue 21): a consensus workshop's agreed
levels per dimension. Never a respondent's rating: those stay as they were submitted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db.models.base import Base
from survey.db.models.rounds import Association, Round


class Workshop(Base):
    """One consensus workshop per published round; editable until marked done."""

    __tablename__ = "workshop"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), unique=True)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    round: Mapped[Round] = relationship()
    agreed: Mapped[list[AgreedLevel]] = relationship(
        cascade="all, delete-orphan", order_by="AgreedLevel.dimension"
    )


class AgreedLevel(Base):
    """The level a workshop agreed on for one dimension, the target and why."""

    __tablename__ = "agreed_level"
    __table_args__ = (
        CheckConstraint(
            "current_level IS NULL OR current_level BETWEEN 1 AND 5", name="agreed_current"
        ),
        CheckConstraint(
            "target_level IS NULL OR target_level BETWEEN 1 AND 5", name="agreed_target"
        ),
    )

    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(40), primary_key=True)
    current_level: Mapped[int | None] = mapped_column(Integer)
    target_level: Mapped[int | None] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)


#: An action's status: planerad, pågår, klar, avbruten.
ACTION_STATUSES = ("planned", "in_progress", "done", "cancelled")


class Action(Base):
    """An improvement action for one dimension, planned from a published round and
    followed up in the next: its owner is a role or a party, never a respondent."""

    __tablename__ = "action"
    __table_args__ = (
        CheckConstraint(
            "status IN ('planned', 'in_progress', 'done', 'cancelled')", name="action_status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(
        ForeignKey("association.id", ondelete="CASCADE"), index=True
    )
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    association: Mapped[Association] = relationship()
    round: Mapped[Round] = relationship()
