"""rwg(j) per round, förbund and dimension for the research package (`overensstammelse.csv`):
within-group agreement over the dimension's statements, from counts, sums and sums of squares
per statement computed in SQL, for the same rows as the package holds (published rounds
only, förbund recoded as the rows are, pooled rounds as one group) and empty where fewer than
k respondents rated the dimension. The rule: survey.maturity.agreement.rwg_j."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.db import models
from survey.exports import codebook
from survey.exports.dataset import Export, _published_association, exported
from survey.maturity.agreement import rwg_j

HEAD = tuple(v.name for v in codebook.AGREEMENT_VARIABLES)


def agreement_rows(session: Session, export: Export) -> Iterator[list[object]]:
    """(omgang, forbund, dimension, n, rwg_j) in round, förbund and dimension order."""
    group = _published_association(export.plan).label("group")
    value = models.Answer.value
    stmt = (
        select(
            models.Round.label,
            group,
            models.Dimension.code,
            models.Dimension.position,
            models.Item.code,
            func.count(value),
            func.sum(value),
            func.sum(value * value),
        )
        .select_from(models.Answer)
        .join(models.Response, models.answers_of_response())
        .join(models.Round, models.Round.id == models.Response.round_id)
        .join(models.Association, models.Association.id == models.Round.association_id)
        .join(models.Item, models.Item.id == models.Answer.item_id)
        .join(models.Dimension, models.Dimension.id == models.Item.dimension_id)
        .where(exported(export.plan, export.selection), models.Item.kind == "statement")
        .group_by(models.Round.label, group, models.Dimension.code, models.Dimension.position)
        .group_by(models.Item.code)
        .order_by(models.Round.label, group, models.Dimension.position)
    )
    variances: dict[tuple[str, str, str], list[float]] = {}
    for label, slug, dimension, _pos, _item, n, total, squares in session.execute(stmt):
        found = variances.setdefault((label, slug, dimension), [])
        if n >= 2:
            found.append((squares - total * total / n) / (n - 1))
    sizes = _respondents(session, export)
    for key, item_variances in variances.items():
        n = sizes.get(key, 0)
        shown = n >= export.k and item_variances
        yield [*key, n, rwg_j(item_variances) if shown else None]


def _respondents(session: Session, export: Export) -> dict[tuple[str, str, str], int]:
    """Respondents per group and dimension who rated at least one of its statements."""
    group = _published_association(export.plan).label("group")
    stmt = (
        select(
            models.Round.label,
            group,
            models.Dimension.code,
            func.count(func.distinct(models.Response.id)),
        )
        .select_from(models.Answer)
        .join(models.Response, models.answers_of_response())
        .join(models.Round, models.Round.id == models.Response.round_id)
        .join(models.Association, models.Association.id == models.Round.association_id)
        .join(models.Item, models.Item.id == models.Answer.item_id)
        .join(models.Dimension, models.Dimension.id == models.Item.dimension_id)
        .where(
            exported(export.plan, export.selection),
            models.Item.kind == "statement",
            models.Answer.value.is_not(None),
        )
        .group_by(models.Round.label, group, models.Dimension.code)
    )
    return {(label, slug, dim): int(n) for label, slug, dim, n in session.execute(stmt)}
