"""Scores and group statistics, computed in SQL (GROUP BY) on SQLite and PostgreSQL alike.

Rules (see README "Scoring"): reverse items are recoded 6 − x first; a respondent's
dimension score is the mean of their answered items, kept only when at least half of the
dimension's items were answered; "vet ej" is missing, never 0. Groups with fewer than k
respondents are suppressed: their statistics are never returned, only n < k.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Float, Select, case, cast, func, select
from sqlalchemy.orm import Session

from . import models

BREAKDOWNS = ("role", "agency")


def scored_value():
    """An answer's value after reverse coding (NULL stays NULL: "vet ej")."""
    return case((models.Item.reverse, 6 - models.Answer.value), else_=models.Answer.value)


def respondent_scores() -> Select:
    """One row per submitted response × dimension that meets the half-answered rule."""
    items_per_dimension = (
        select(models.Item.dimension_id, func.count().label("n_items"))
        .group_by(models.Item.dimension_id)
        .subquery()
    )
    return (
        select(
            models.Response.id.label("response_id"),
            models.Response.round_id,
            models.Response.role,
            models.Response.agency,
            models.Dimension.code.label("dimension"),
            func.avg(cast(scored_value(), Float)).label("score"),
        )
        .join(models.Answer, models.Answer.response_id == models.Response.id)
        .join(models.Item, models.Item.id == models.Answer.item_id)
        .join(models.Dimension, models.Dimension.id == models.Item.dimension_id)
        .join(items_per_dimension, items_per_dimension.c.dimension_id == models.Item.dimension_id)
        .where(models.Response.state == "submitted")
        .group_by(
            models.Response.id,
            models.Response.round_id,
            models.Response.role,
            models.Response.agency,
            models.Dimension.code,
            items_per_dimension.c.n_items,
        )
        .having(2 * func.count(models.Answer.value) >= items_per_dimension.c.n_items)
    )


@dataclass(frozen=True)
class GroupStat:
    """Statistics of one group; every figure is None when the group is suppressed."""

    round_id: int
    dimension: str
    group: str | None  # the role or agency code of a breakdown, None for the whole förbund
    n: int
    suppressed: bool
    mean: float | None = None
    sd: float | None = None


def dimension_stats(
    session: Session, round_ids: Iterable[int], k: int, by: str | None = None
) -> list[GroupStat]:
    """n, mean and SD of dimension scores per round × dimension (× role or agency)."""
    if by is not None and by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    scores = respondent_scores().subquery()
    group_col = scores.c[by] if by else None
    keys = [scores.c.round_id, scores.c.dimension] + ([group_col] if by else [])
    stmt = (
        select(
            *keys,
            func.count().label("n"),
            func.avg(scores.c.score).label("mean"),
            func.avg(scores.c.score * scores.c.score).label("mean_sq"),
        )
        .where(scores.c.round_id.in_(list(round_ids)))
        .group_by(*keys)
        .order_by(*keys)
    )
    if by:
        stmt = stmt.where(group_col.is_not(None))
    result = []
    for row in session.execute(stmt):
        group = row[2] if by else None
        if row.n < k:
            result.append(GroupStat(row.round_id, row.dimension, group, row.n, True))
            continue
        result.append(
            GroupStat(
                row.round_id,
                row.dimension,
                group,
                row.n,
                False,
                mean=float(row.mean),
                sd=_sample_sd(row.n, row.mean, row.mean_sq),
            )
        )
    return result


def _sample_sd(n: int, mean: float, mean_sq: float) -> float | None:
    if n < 2:
        return None
    variance = (float(mean_sq) - float(mean) ** 2) * n / (n - 1)
    return math.sqrt(max(variance, 0.0))


@dataclass(frozen=True)
class Reference:
    dimension: str
    mean: float | None
    n_associations: int


def national_reference(
    session: Session, label: str, questionnaire_key: str, k: int
) -> dict[str, Reference]:
    """Mean of förbund means per dimension in rounds with this label, each förbund weighted
    equally; förbund suppressed in a dimension (n < k) do not count."""
    scores = respondent_scores().subquery()
    per_round = (
        select(
            scores.c.round_id,
            scores.c.dimension,
            func.avg(scores.c.score).label("mean"),
            func.count().label("n"),
        )
        .join(models.Round, models.Round.id == scores.c.round_id)
        .join(models.Questionnaire, models.Questionnaire.id == models.Round.questionnaire_id)
        .where(models.Round.label == label, models.Questionnaire.key == questionnaire_key)
        .group_by(scores.c.round_id, scores.c.dimension)
        .having(func.count() >= k)
        .subquery()
    )
    stmt = select(per_round.c.dimension, func.avg(per_round.c.mean), func.count()).group_by(
        per_round.c.dimension
    )
    return {dim: Reference(dim, float(mean), n) for dim, mean, n in session.execute(stmt)}


def dimension_labels(session: Session, questionnaire_id: int, lang: str) -> list[tuple[str, str]]:
    """(code, name) of the dimensions in questionnaire order."""
    name = models.Dimension.name_en if lang == "en" else models.Dimension.name_sv
    rows = session.execute(
        select(models.Dimension.code, name)
        .filter_by(questionnaire_id=questionnaire_id)
        .order_by(models.Dimension.position)
    )
    return list(rows.all())


def by_dimension(stats: Sequence[GroupStat]) -> dict[str, GroupStat]:
    return {s.dimension: s for s in stats}
