"""The publication snapshot (issue 23): a published round's figures, computed once when it
is published and read by every board page, JSON, workbook and comparison since.

Only what publication allows is here: the figures of `survey.results.scoring` after k and
complementary suppression (a suppressed group keeps its n and nothing else), for published
rounds only. Rows are statistics of groups, dimensions and statements, never of a
respondent; their key (round, kind, position) follows the questionnaire's order, not any
submission's."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.db.models.base import Base


class FigureSnapshot(Base):
    """A published round has a snapshot, made at the k in force (`k`): a page asking with
    another k computes live instead."""

    __tablename__ = "figure_snapshot"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("round.id", ondelete="CASCADE"), primary_key=True
    )
    k: Mapped[int] = mapped_column(Integer)


class SnapshotFigure(Base):
    """One statistic of a snapshot: `kind` "total" (the whole förbund per dimension, also
    its contribution to the national reference), "role" or "agency" (a report group per
    dimension) or "item" (a statement); `key` is the dimension's or the statement's code."""

    __tablename__ = "snapshot_figure"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("figure_snapshot.round_id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    grp: Mapped[str | None] = mapped_column(String(100))
    n: Mapped[int] = mapped_column(Integer)
    suppressed: Mapped[bool] = mapped_column(Boolean)
    mean: Mapped[float | None] = mapped_column(Float)
    sd: Mapped[float | None] = mapped_column(Float)
    median: Mapped[float | None] = mapped_column(Float)
    variance: Mapped[float | None] = mapped_column(Float)
    dont_know_share: Mapped[float | None] = mapped_column(Float)
    answers: Mapped[int | None] = mapped_column(Integer)
    population: Mapped[int | None] = mapped_column(Integer)
    p1: Mapped[int | None] = mapped_column(Integer)
    p2: Mapped[int | None] = mapped_column(Integer)
    p3: Mapped[int | None] = mapped_column(Integer)
    p4: Mapped[int | None] = mapped_column(Integer)
    p5: Mapped[int | None] = mapped_column(Integer)
