"""Questionnaires as stored: one row per version, its dimensions and statements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db.models.base import Base


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
    #: The statements (a dimension's level question, `kind` now/want, is not one).
    items: Mapped[list[Item]] = relationship(
        primaryjoin="and_(Questionnaire.id == Item.questionnaire_id, Item.kind == 'statement')",
        order_by="Item.position",
        viewonly=True,
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
    #: The statements (a dimension's level question, `kind` now/want, is not one).
    items: Mapped[list[Item]] = relationship(
        primaryjoin="and_(Dimension.id == Item.dimension_id, Item.kind == 'statement')",
        order_by="Item.position",
        viewonly=True,
    )


class Item(Base):
    """A statement (påstående). `code` is stable across versions of a questionnaire."""

    __tablename__ = "item"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "code"),
        CheckConstraint("kind IN ('statement', 'now', 'want')", name="item_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    dimension_id: Mapped[int] = mapped_column(ForeignKey("dimension.id"))
    code: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    text_sv: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    reverse: Mapped[bool] = mapped_column(Boolean, default=False)
    #: "statement" (scored), or a dimension's level question: "now" / "want" (issue 21),
    #: stored as answers like a statement but never part of a score.
    kind: Mapped[str] = mapped_column(String(10), default="statement", server_default="statement")

    questionnaire: Mapped[Questionnaire] = relationship()
    dimension: Mapped[Dimension] = relationship()
