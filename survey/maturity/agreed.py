"""What a round's consensus workshop agreed, read for the board's picture, the workshop
pages and the board workbook."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.db import models


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
