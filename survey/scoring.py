"""Scores and group statistics, computed in SQL (GROUP BY) on SQLite and PostgreSQL alike.

Rules (see README "Scoring"): reverse items are recoded 6 − x first; a respondent's
dimension score is the mean of their answered items, kept only when at least half of the
dimension's items were answered; "vet ej" is missing, never 0. Groups with fewer than k
respondents are suppressed here, in the core: a suppressed group carries its n and nothing
else, so no page, chart, JSON or export built on these functions can show its figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import Float, Select, and_, case, cast, distinct, func, null, or_, select
from sqlalchemy.orm import Session

from . import models
from .config import MIN_GROUP_SIZE_FLOOR

BREAKDOWNS = ("role", "agency")
SCALE_POINTS = (1, 2, 3, 4, 5)


def effective_k(k: int) -> int:
    """k as applied: the anonymity floor holds whatever a caller passes."""
    return max(int(k), MIN_GROUP_SIZE_FLOOR)


def scored_value():
    """An answer's value after reverse coding (NULL stays NULL: "vet ej")."""
    return case((models.Item.reverse, 6 - models.Answer.value), else_=models.Answer.value)


def _items_per_dimension():
    return (
        select(models.Item.dimension_id, func.count().label("n_items"))
        .group_by(models.Item.dimension_id)
        .subquery()
    )


def respondent_scores() -> Select:
    """One row per submitted response × dimension that meets the half-answered rule."""
    items_per_dimension = _items_per_dimension()
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
    """Statistics of one group; every figure is None when the group is suppressed.

    `distribution` counts the group's answers 1–5 (after reverse coding) and
    `dont_know_share` is the share of its answers that were "vet ej"; both cover every
    answer the group's respondents gave in the dimension, also of those whose score was not
    kept. `answers` is the number of those answers, "vet ej" included.
    """

    round_id: int
    dimension: str
    group: str | None  # the role or agency code of a breakdown, None for the whole förbund
    n: int
    suppressed: bool
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    distribution: tuple[int, ...] | None = None
    dont_know_share: float | None = None
    answers: int | None = None

    @property
    def shares(self) -> tuple[float, ...] | None:
        """The distribution as shares of the rated (not "vet ej") answers."""
        if self.distribution is None:
            return None
        rated = sum(self.distribution)
        return tuple(c / rated if rated else 0.0 for c in self.distribution)


def _group_moments(round_ids: list[int], by: str | None):
    """Per group: n, mean, sum of squared deviations and median of respondent scores.

    Window functions (ROW_NUMBER, COUNT, AVG OVER PARTITION) give the median and an
    exact-ish SD on both databases; SQLite has neither MEDIAN nor STDDEV.
    """
    scores = respondent_scores().where(models.Response.round_id.in_(round_ids)).subquery()
    keys = [scores.c.round_id, scores.c.dimension]
    if by:
        keys.append(scores.c[by].label("grp"))
    ranked = select(
        *keys,
        scores.c.score,
        func.row_number().over(partition_by=keys, order_by=scores.c.score).label("rn"),
        func.count().over(partition_by=keys).label("cnt"),
        func.avg(scores.c.score).over(partition_by=keys).label("group_mean"),
    ).subquery()
    middle = or_(ranked.c.rn == (ranked.c.cnt + 1) // 2, ranked.c.rn == (ranked.c.cnt + 2) // 2)
    deviation = ranked.c.score - ranked.c.group_mean
    rkeys = [ranked.c.round_id, ranked.c.dimension] + ([ranked.c.grp] if by else [])
    return (
        select(
            *rkeys,
            func.count().label("n"),
            func.avg(ranked.c.score).label("mean"),
            func.sum(deviation * deviation).label("ss"),
            func.avg(case((middle, ranked.c.score))).label("median"),
        )
        .group_by(*rkeys)
        .subquery()
    )


def _answer_counts(round_ids: list[int], by: str | None):
    """Per group: respondents with any answer in the dimension, answers, counts of 1–5."""
    group_col = getattr(models.Response, by) if by else None
    keys = [models.Response.round_id, models.Dimension.code.label("dimension")]
    if group_col is not None:
        keys.append(group_col.label("grp"))
    value = scored_value()
    return (
        select(
            *keys,
            func.count(distinct(models.Response.id)).label("respondents"),
            func.count().label("answers"),
            *[func.sum(case((value == p, 1), else_=0)).label(f"p{p}") for p in SCALE_POINTS],
        )
        .select_from(models.Response)
        .join(models.Answer, models.Answer.response_id == models.Response.id)
        .join(models.Item, models.Item.id == models.Answer.item_id)
        .join(models.Dimension, models.Dimension.id == models.Item.dimension_id)
        .where(models.Response.state == "submitted", models.Response.round_id.in_(round_ids))
        .group_by(*keys)
        .subquery()
    )


def group_statistics_query(round_ids: Iterable[int], by: str | None = None) -> Select:
    """The one statement behind `dimension_stats`: answer counts joined to score moments,
    with the whole förbund's totals per round × dimension alongside each group."""
    if by is not None and by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    ids = list(round_ids)
    counts = _answer_counts(ids, by)
    moments = _group_moments(ids, by)
    on = [counts.c.round_id == moments.c.round_id, counts.c.dimension == moments.c.dimension]
    if by:
        # The NULL group (no role given) must join too: it counts in the förbund's total.
        on.append(counts.c.grp.is_not_distinct_from(moments.c.grp))
    whole = [counts.c.round_id, counts.c.dimension]
    n = func.coalesce(moments.c.n, 0)
    return (
        select(
            counts.c.round_id,
            counts.c.dimension,
            (counts.c.grp if by else null()).label("grp"),
            n.label("n"),
            moments.c.mean,
            moments.c.ss,
            moments.c.median,
            counts.c.respondents,
            counts.c.answers,
            *[counts.c[f"p{p}"] for p in SCALE_POINTS],
            func.sum(n).over(partition_by=whole).label("total_n"),
            func.sum(counts.c.respondents).over(partition_by=whole).label("total_respondents"),
        )
        .select_from(counts)
        .outerjoin(moments, and_(*on))
        .order_by(counts.c.round_id, counts.c.dimension)
    )


def dimension_stats(
    session: Session, round_ids: Iterable[int], k: int, by: str | None = None
) -> list[GroupStat]:
    """n, mean, SD, median, distribution and "vet ej" share per round × dimension (× role
    or agency), suppressed below k; breakdowns also hide what a total would give away."""
    k = effective_k(k)
    rows = session.execute(group_statistics_query(round_ids, by)).all()
    result: list[GroupStat] = []
    for _key, part in groupby(rows, key=lambda r: (r.round_id, r.dimension)):
        part = list(part)
        if by:
            hidden = _complementary(part, k)
            part = [r for r in part if r.grp is not None]
        else:
            hidden = set()
        for row in sorted(part, key=lambda r: str(r.grp) if by else ""):
            result.append(_group_stat(row, by, k, row.grp in hidden))
    return sorted(result, key=lambda s: (s.round_id, s.dimension, s.group or ""))


def _complementary(part: Sequence[Any], k: int) -> set[str]:
    """Groups to hide although n ≥ k, so that the förbund total minus the shown groups
    never equals the figures of fewer than k people (secondary suppression).

    Both populations are checked: respondents with a score (mean, SD) and respondents
    with any answer (distribution, "vet ej" share).
    """
    shown = sorted((r for r in part if r.grp is not None and r.n >= k), key=lambda r: r.n)
    if not shown:
        return set()
    rest_n = part[0].total_n - sum(r.n for r in shown)
    rest_resp = part[0].total_respondents - sum(r.respondents for r in shown)
    hidden: set[str] = set()
    while shown and (0 < rest_n < k or 0 < rest_resp < k):
        smallest = shown.pop(0)
        hidden.add(smallest.grp)
        rest_n += smallest.n
        rest_resp += smallest.respondents
    return hidden


def _group_stat(row: Any, by: str | None, k: int, hidden: bool) -> GroupStat:
    group = row.grp if by else None
    if row.n < k or hidden:
        return GroupStat(row.round_id, row.dimension, group, row.n, True)
    distribution = tuple(int(getattr(row, f"p{p}")) for p in SCALE_POINTS)
    answers = int(row.answers)
    return GroupStat(
        row.round_id,
        row.dimension,
        group,
        row.n,
        False,
        mean=float(row.mean),
        sd=math.sqrt(float(row.ss) / (row.n - 1)) if row.n > 1 else None,
        median=float(row.median),
        distribution=distribution,
        dont_know_share=(answers - sum(distribution)) / answers,
        answers=answers,
    )


@dataclass(frozen=True)
class ItemStat:
    """One statement in one round; n counts the rated answers ("vet ej" excluded)."""

    round_id: int
    item: str
    n: int
    suppressed: bool
    mean: float | None = None
    sd: float | None = None
    distribution: tuple[int, ...] | None = None
    dont_know_share: float | None = None
    answers: int | None = None


def item_stats(session: Session, round_ids: Iterable[int], k: int) -> list[ItemStat]:
    """Per round × statement, after reverse coding; suppressed below k rated answers."""
    k = effective_k(k)
    value = cast(scored_value(), Float)
    stmt = (
        select(
            models.Response.round_id,
            models.Item.code,
            func.count(models.Answer.value).label("n"),
            func.count().label("answers"),
            func.avg(value).label("mean"),
            func.sum(value * value).label("sum_sq"),
            *[
                func.sum(case((scored_value() == p, 1), else_=0)).label(f"p{p}")
                for p in SCALE_POINTS
            ],
        )
        .join(models.Answer, models.Answer.response_id == models.Response.id)
        .join(models.Item, models.Item.id == models.Answer.item_id)
        .where(models.Response.state == "submitted", models.Response.round_id.in_(list(round_ids)))
        .group_by(models.Response.round_id, models.Item.code)
        .order_by(models.Response.round_id, models.Item.code)
    )
    result = []
    for row in session.execute(stmt):
        if row.n < k:
            result.append(ItemStat(row.round_id, row.code, row.n, True))
            continue
        mean = float(row.mean)
        variance = (float(row.sum_sq) - row.n * mean * mean) / (row.n - 1)
        distribution = tuple(int(getattr(row, f"p{p}")) for p in SCALE_POINTS)
        result.append(
            ItemStat(
                row.round_id,
                row.code,
                row.n,
                False,
                mean=mean,
                sd=math.sqrt(max(variance, 0.0)),
                distribution=distribution,
                dont_know_share=(row.answers - row.n) / row.answers,
                answers=row.answers,
            )
        )
    return result


@dataclass(frozen=True)
class Reliability:
    """Cronbach's α of one dimension in one round, over respondents who rated every item."""

    round_id: int
    dimension: str
    n: int  # listwise complete respondents
    items: int
    alpha: float | None


def cronbach_alpha(session: Session, round_ids: Iterable[int], k: int) -> list[Reliability]:
    """α = items / (items − 1) × (1 − Σ item variances / variance of the sum score).

    Item variances and the sum-score variance come from SQL aggregates (sums and sums of
    squares); α is None below k complete respondents or when the sum score does not vary.
    """
    k = effective_k(k)
    ids = list(round_ids)
    per_dim = _items_per_dimension()
    value = cast(scored_value(), Float)
    complete = (
        select(
            models.Response.id.label("response_id"),
            models.Response.round_id,
            models.Item.dimension_id,
            func.sum(value).label("total"),
        )
        .join(models.Answer, models.Answer.response_id == models.Response.id)
        .join(models.Item, models.Item.id == models.Answer.item_id)
        .join(per_dim, per_dim.c.dimension_id == models.Item.dimension_id)
        .where(models.Response.state == "submitted", models.Response.round_id.in_(ids))
        .group_by(
            models.Response.id,
            models.Response.round_id,
            models.Item.dimension_id,
            per_dim.c.n_items,
        )
        .having(func.count(models.Answer.value) == per_dim.c.n_items)
        .subquery()
    )
    per_item = (
        select(
            complete.c.round_id,
            complete.c.dimension_id,
            _variance(func.count(), func.sum(value), func.sum(value * value)).label("var"),
        )
        .select_from(complete)
        .join(models.Answer, models.Answer.response_id == complete.c.response_id)
        .join(
            models.Item,
            and_(
                models.Item.id == models.Answer.item_id,
                models.Item.dimension_id == complete.c.dimension_id,
            ),
        )
        .group_by(complete.c.round_id, complete.c.dimension_id, models.Item.id)
        .subquery()
    )
    item_sums = (
        select(
            per_item.c.round_id,
            per_item.c.dimension_id,
            func.sum(per_item.c.var).label("item_var"),
            func.count().label("item_count"),
        )
        .group_by(per_item.c.round_id, per_item.c.dimension_id)
        .subquery()
    )
    totals = (
        select(
            complete.c.round_id,
            complete.c.dimension_id,
            func.count().label("n"),
            _variance(
                func.count(),
                func.sum(complete.c.total),
                func.sum(complete.c.total * complete.c.total),
            ).label("total_var"),
        )
        .group_by(complete.c.round_id, complete.c.dimension_id)
        .subquery()
    )
    stmt = (
        select(
            totals.c.round_id,
            models.Dimension.code,
            totals.c.n,
            item_sums.c.item_count,
            item_sums.c.item_var,
            totals.c.total_var,
        )
        .join(
            item_sums,
            and_(
                item_sums.c.round_id == totals.c.round_id,
                item_sums.c.dimension_id == totals.c.dimension_id,
            ),
        )
        .join(models.Dimension, models.Dimension.id == totals.c.dimension_id)
        .order_by(totals.c.round_id, models.Dimension.position)
    )
    result = []
    for row in session.execute(stmt):
        alpha = None
        if row.n >= k and row.item_count > 1 and row.total_var:
            alpha = (
                row.item_count
                / (row.item_count - 1)
                * (1 - float(row.item_var) / float(row.total_var))
            )
        result.append(Reliability(row.round_id, row.code, row.n, row.item_count, alpha))
    return result


def _variance(n, total, total_sq):
    """Sample variance from count, sum and sum of squares (NULL for fewer than two)."""
    return (total_sq - total * total / n) / func.nullif(n - 1, 0)


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
    k = effective_k(k)
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
