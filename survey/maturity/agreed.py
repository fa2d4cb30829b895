"""What a round's consensus workshop agreed, read for the board's picture, the workshop
pages and the board workbook."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.db import models
from survey.maturity.actions import actions_of, is_overdue


def workshop_of(session: Session, round_id: int) -> models.Workshop | None:
    return session.scalar(select(models.Workshop).filter_by(round_id=round_id))


def agreed_levels(session: Session, round_id: int) -> dict[str, models.AgreedLevel]:
    """Dimension code -> what the round's workshop agreed (empty without a workshop)."""
    rows = session.scalars(
        select(models.AgreedLevel)
        .join(models.Workshop, models.Workshop.id == models.AgreedLevel.workshop_id)
        .where(models.Workshop.round_id == round_id)
    )
    return {row.dimension: row for row in rows}


@dataclass(frozen=True)
class AgreedPlan:
    """The printed report's section of a published round: what its workshop agreed per
    dimension and the actions planned from it (no respondent figures at all)."""

    agreed: dict[str, models.AgreedLevel]
    actions: list[models.Action]
    overdue: list[models.Action]


def agreed_plan(session: Session, rnd: models.Round, today: dt.date) -> AgreedPlan:
    """Two queries: the agreed levels and the förbund's actions (those of this round kept)."""
    planned = [a for a in actions_of(session, rnd.association_id) if a.round_id == rnd.id]
    return AgreedPlan(
        agreed_levels(session, rnd.id), planned, [a for a in planned if is_overdue(a, today)]
    )
