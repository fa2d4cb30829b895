"""What the read-only API lists besides figures: the förbund a caller may see, a förbund's
rounds, the questionnaires. Plain reads, no figures (those come through survey.results.pages
and the publication gate); no Flask."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from survey.db import models
from survey.rounds.associations import find_association
from survey.rounds.lifecycle import rounds_of


def associations(session: Session, may_see: Callable[[str], bool]) -> list[models.Association]:
    """The förbund whose short name `may_see` accepts, by name."""
    stmt = select(models.Association).order_by(models.Association.name)
    return [a for a in session.scalars(stmt) if may_see(a.slug)]


def association_rounds(
    session: Session, slug: str
) -> tuple[models.Association, list[models.Round]]:
    """A förbund (NotFound when none) and its rounds in time order, questionnaires loaded."""
    association = find_association(session, slug)
    return association, rounds_of(session, association)


def questionnaires(session: Session) -> list[models.Questionnaire]:
    """Every questionnaire version with its dimensions, by key and version."""
    stmt = (
        select(models.Questionnaire)
        .options(selectinload(models.Questionnaire.dimensions))
        .order_by(models.Questionnaire.key, models.Questionnaire.version)
    )
    return list(session.scalars(stmt))
