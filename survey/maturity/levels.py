"""The level question's answers as group figures, in SQL: per round × dimension (× role
or agency) the count of each level 1–5 rated now or wanted in two years, with k and
complementary suppression applied like every other figure (`scoring`). Published rounds
only: the publication gate (`survey.results.gate.published`) is in the statement itself,
as in scoring, so a caller that forgets `ensure_published` still reads nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from survey.db import models
from survey.disclosure import (
    DEFAULT_REFERENCE_ASSOCIATIONS,
    effective_k,
    effective_reference_minimum,
)
from survey.maturity.agreement import POINTS, Verdict, judge
from survey.results.gate import published
from survey.results.scoring import BREAKDOWNS, hidden_groups, reference_rounds


@dataclass(frozen=True)
class LevelStat:
    """One group's ratings of a dimension's level; a hidden group carries only its n."""

    round_id: int
    dimension: str
    kind: str  # "now" | "want"
    group: str | None
    n: int
    hidden: bool
    counts: tuple[int, ...] | None = None
    mean: float | None = None
    verdict: Verdict | None = None

    @property
    def suppressed(self) -> bool:  # the board macros' name for it
        return self.hidden


def level_query(
    round_ids: Iterable[int],
    kind: str,
    by: str | None = None,
    groups: Mapping[str, str] | None = None,
) -> Select:
    """Per round × dimension (× group): n rated (1–5), respondents who answered (also
    "vet ej"), the count of each level, and the förbund's totals alongside."""
    if by is not None and by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    column = getattr(models.Response, by) if by else None
    if column is not None and groups:
        column = case(dict(groups), value=column, else_=column)
    grp = column.label("grp") if column is not None else None
    keys = [models.Response.round_id, models.Dimension.code]
    whole = {"partition_by": keys}
    n = func.count(models.Answer.value)
    return (
        select(
            models.Response.round_id,
            models.Dimension.code.label("dimension"),
            *([grp] if grp is not None else []),
            n.label("n"),
            func.count().label("respondents"),
            *[
                func.sum(case((models.Answer.value == p, 1), else_=0)).label(f"p{p}")
                for p in POINTS
            ],
            func.sum(n).over(**whole).label("total_n"),
            func.sum(func.count()).over(**whole).label("total_respondents"),
        )
        .join(models.Answer, models.answers_of_response())
        .join(models.Item, models.Item.id == models.Answer.item_id)
        .join(models.Dimension, models.Dimension.id == models.Item.dimension_id)
        .where(
            models.Response.round_id.in_(list(round_ids)),
            published(models.Response.round_id),
            models.Item.kind == kind,
        )
        .group_by(*keys, *([column] if column is not None else []))
        .order_by(*keys)
    )


def level_stats(
    session: Session,
    round_ids: Iterable[int],
    k: int,
    kind: str = "now",
    by: str | None = None,
    groups: Mapping[str, str] | None = None,
) -> list[LevelStat]:
    """Counts, mean and agreement verdict per group; below k (or where a total minus the
    shown groups would give fewer than k away) a group carries its n and nothing else."""
    k = effective_k(k)
    rows = session.execute(level_query(round_ids, kind, by, groups)).all()
    result: list[LevelStat] = []
    for _key, part in groupby(rows, key=lambda r: (r.round_id, r.dimension)):
        part = list(part)
        hidden = hidden_groups(part, k) if by else set()
        for row in part:
            group = row.grp if by else None
            if by and group is None:
                continue
            result.append(_stat(row, kind, group, k, group in hidden))
    return result


def _stat(row, kind: str, group: str | None, k: int, hidden: bool) -> LevelStat:
    n = int(row.n)
    if n < k or hidden:
        return LevelStat(row.round_id, row.dimension, kind, group, n, True)
    counts = tuple(int(getattr(row, f"p{p}")) for p in POINTS)
    mean = sum(p * c for p, c in zip(POINTS, counts, strict=True)) / n
    verdict = judge(dict(zip(POINTS, counts, strict=True)))
    return LevelStat(row.round_id, row.dimension, kind, group, n, False, counts, mean, verdict)


def national_levels(
    session: Session,
    label: str,
    questionnaire_key: str,
    k: int,
    kind: str,
    *,
    demo: bool,
    minimum: int = DEFAULT_REFERENCE_ASSOCIATIONS,
) -> dict[str, float]:
    """Mean of the förbund means of a level per dimension, in the rounds and under the
    rules of `scoring.national_reference`: each förbund weighted equally, a förbund below k
    in a dimension not counted, no reference of fewer than `minimum` förbund (never below 3)."""
    k = effective_k(k)
    minimum = effective_reference_minimum(minimum)
    rounds = reference_rounds(label, questionnaire_key, demo=demo)
    per_round = (
        select(
            models.Response.round_id,
            models.Dimension.code.label("dimension"),
            func.avg(models.Answer.value).label("mean"),
        )
        .join(models.Answer, models.answers_of_response())
        .join(models.Item, models.Item.id == models.Answer.item_id)
        .join(models.Dimension, models.Dimension.id == models.Item.dimension_id)
        .where(models.Response.round_id.in_(rounds), models.Item.kind == kind)
        .group_by(models.Response.round_id, models.Dimension.code)
        .having(func.count(models.Answer.value) >= k)
        .subquery()
    )
    stmt = (
        select(per_round.c.dimension, func.avg(per_round.c.mean))
        .group_by(per_round.c.dimension)
        .having(func.count() >= minimum)
    )
    return {dim: float(mean) for dim, mean in session.execute(stmt)}
