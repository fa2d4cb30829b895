"""What a board sees for one förbund and round: dimension rows combining the förbund's
statistics with the national reference. Shared by the pages, charts and board exports so
they all show the same numbers and the same suppression."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import models, scoring
from .errors import NotFound


@dataclass(frozen=True)
class DimensionRow:
    code: str
    name: str
    group: str
    n: int
    suppressed: bool
    mean: float | None
    sd: float | None
    national_mean: float | None
    national_associations: int


@dataclass(frozen=True)
class RoundOverview:
    association: str
    round_label: str
    k: int
    respondents: int
    rows: list[DimensionRow]


def find_association(session: Session, slug: str) -> models.Association:
    assoc = session.scalar(select(models.Association).filter_by(slug=slug))
    if assoc is None:
        raise NotFound(f"No förbund '{slug}'")
    return assoc


def rounds_of(session: Session, association: models.Association) -> list[models.Round]:
    return list(
        session.scalars(
            select(models.Round)
            .filter_by(association_id=association.id)
            .order_by(models.Round.label)
        )
    )


def find_round(
    session: Session, association: models.Association, label: str | None
) -> models.Round:
    """The round with this label, or the latest when no label is given."""
    rounds = rounds_of(session, association)
    if label is None and rounds:
        return rounds[-1]
    for rnd in rounds:
        if rnd.label == label:
            return rnd
    raise NotFound(f"No round '{label}' for {association.name}")


def submitted_count(session: Session, round_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(models.Response)
            .filter_by(round_id=round_id, state="submitted")
        )
        or 0
    )


def round_overview(session: Session, rnd: models.Round, k: int, lang: str) -> RoundOverview:
    stats = scoring.by_dimension(scoring.dimension_stats(session, [rnd.id], k))
    national = scoring.national_reference(session, rnd.label, rnd.questionnaire.key, k)
    rows = []
    for dim in rnd.questionnaire.dimensions:
        s = stats.get(dim.code)
        ref = national.get(dim.code)
        rows.append(
            DimensionRow(
                code=dim.code,
                name=dim.name_en if lang == "en" else dim.name_sv,
                group=dim.group,
                n=s.n if s else 0,
                suppressed=s.suppressed if s else True,
                mean=s.mean if s else None,
                sd=s.sd if s else None,
                national_mean=ref.mean if ref else None,
                national_associations=ref.n_associations if ref else 0,
            )
        )
    return RoundOverview(rnd.association.name, rnd.label, k, submitted_count(session, rnd.id), rows)
