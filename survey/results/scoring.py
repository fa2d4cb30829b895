"""Scores and group statistics, computed in SQL (GROUP BY) on SQLite and PostgreSQL alike.

Rules (see README "Scoring"): reverse items are recoded 6 − x first; a respondent's
dimension score is the mean of their answered items, kept only when at least half of the
dimension's items were answered; "vet ej" is missing, never 0. Groups with fewer than k
respondents are suppressed here, in the core: a suppressed group carries its n and nothing
else, so no page, chart, JSON or export built on these functions can show its figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import Float, Select, and_, case, cast, func, null, select
from sqlalchemy.orm import Session

from survey.db import models, planner
from survey.db.median import median
from survey.disclosure import (
    DEFAULT_REFERENCE_ASSOCIATIONS,
    complementary,
    effective_k,
    effective_reference_minimum,
)
from survey.instruments.questionnaire import Questionnaire
from survey.results.gate import published
from survey.results.uncertainty import Sample

BREAKDOWNS = ("role", "agency")
SCALE_POINTS = (1, 2, 3, 4, 5)


def is_statement():
    """Statements only: a dimension's level question (issue 21) is never part of a score."""
    return models.Item.kind == "statement"


def scored_value():
    """An answer's value after reverse coding (NULL stays NULL: "vet ej")."""
    return case((models.Item.reverse, 6 - models.Answer.value), else_=models.Answer.value)


def _per_respondent(kept_only: bool) -> Select:
    """Submitted responses of published rounds (the publication gate) × dimension in one
    pass over the answers: score, rated and all answers, the count of each point 1–5, and
    `kept` (1 when at least half of the dimension's statements were rated)."""
    items_per_dimension = (
        select(models.Item.dimension_id, func.count().label("n_items"))
        .where(is_statement())
        .group_by(models.Item.dimension_id)
        .subquery()
    )
    value = scored_value()
    rated = func.count(models.Answer.value)
    n_items = func.max(items_per_dimension.c.n_items)
    kept = 2 * rated >= n_items
    stmt = (
        select(
            models.Response.id.label("response_id"),
            models.Response.round_id,
            models.Response.role,
            models.Response.agency,
            models.Dimension.code.label("dimension"),
            func.avg(cast(value, Float)).label("score"),
            rated.label("rated"),
            n_items.label("n_items"),
            func.count().label("answers"),
            *[func.sum(case((value == p, 1), else_=0)).label(f"p{p}") for p in SCALE_POINTS],
            case((kept, 1), else_=0).label("kept"),
        )
        .join(models.Answer, models.answers_of_response())
        .join(models.Item, models.Item.id == models.Answer.item_id)
        .join(models.Dimension, models.Dimension.id == models.Item.dimension_id)
        .join(items_per_dimension, items_per_dimension.c.dimension_id == models.Item.dimension_id)
        .where(is_statement(), published(models.Response.round_id))
        # Grouping by the two primary keys is enough (and fast): round, role, agency and
        # code depend on them, which both SQLite and PostgreSQL accept.
        .group_by(models.Response.id, models.Dimension.id)
    )
    return stmt.having(kept) if kept_only else stmt


def respondent_scores() -> Select:
    """One row per submitted response × dimension that meets the half-answered rule:
    its score, and how many of the dimension's `n_items` statements it rated."""
    return _per_respondent(kept_only=True)


class RespondentScorer:
    """The same rule as `respondent_scores()`, applied in Python to one respondent's raw
    answers (a row-level export already holds them, so a second pass in SQL is not
    needed): reverse statements are recoded first, the score is the mean of the rated
    statements, kept only when at least half of the dimension's statements were rated."""

    def __init__(self, q: Questionnaire) -> None:
        position = {item.code: i for i, item in enumerate(q.items())}
        self._scale = q.scale
        self._dimensions = [
            [(position[item.code], item.reverse) for item in dim.items] for dim in q.dimensions
        ]

    def scores(self, values: Sequence[int | None]) -> list[float | None]:
        """One score per dimension (None where fewer than half were rated) from raw values
        in the order of `q.items()` (None: "vet ej" or not answered)."""
        result: list[float | None] = []
        for items in self._dimensions:
            rated = [
                self._scale.reverse(v) if reverse else v
                for pos, reverse in items
                if (v := values[pos]) is not None
            ]
            kept = rated and 2 * len(rated) >= len(items)
            result.append(sum(rated) / len(rated) if kept else None)
        return result


def shares(distribution: Sequence[int] | None) -> tuple[float, ...] | None:
    """Counts of 1–5 as shares of the rated (not "vet ej") answers; None stays None."""
    if distribution is None:
        return None
    rated = sum(distribution)
    return tuple(c / rated if rated else 0.0 for c in distribution)


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
    variance: float | None = None  # sample variance of the scores (for intervals)
    #: the number invited (personal links of a round without a shared link), for the
    #: finite-population correction; None for a role or agency, whose number is unknown
    population: int | None = None

    @property
    def shares(self) -> tuple[float, ...] | None:
        return shares(self.distribution)

    @property
    def sample(self) -> Sample | None:
        """What an interval needs; None for a suppressed group (nothing about it is used)."""
        return _sample(self.suppressed, self.n, self.mean, self.variance, self.population)


def _sample(
    suppressed: bool, n: int, mean: float | None, variance: float | None, population: int | None
) -> Sample | None:
    if suppressed or mean is None or variance is None or n < 2:
        return None
    return Sample(n, mean, variance, population)


def invited(round_id: Any) -> Any:
    """The number invited to a round as fixed when it closed (`Round.invited`: its
    personal links then, NULL with a shared link), never its links now: revoking links
    after publication must not change a published interval. A correlated scalar
    subquery, so the GROUP BY statements that compute the groups bring it along."""
    return select(models.Round.invited).where(models.Round.id == round_id).scalar_subquery()


def _answers_per_respondent(round_ids: Iterable[int], by: str | None) -> Any:
    """Per response × dimension of these rounds, if published (the gate), read from the
    answers' key alone (round first): score, rated and all answers, the count of each
    point 1–5 and `kept_score` (the score when at least half of the dimension's
    statements were rated, else NULL); the response's role and agency only for a
    breakdown."""
    value = scored_value()
    ids = list(round_ids)
    per = (
        select(
            models.Answer.round_id,
            models.Answer.response_id,
            models.Item.dimension_id,
            func.avg(cast(value, Float)).label("score"),
            func.count(models.Answer.value).label("rated"),
            func.count().label("answers"),
            *[func.sum(case((value == p, 1), else_=0)).label(f"p{p}") for p in SCALE_POINTS],
        )
        # `+ 0`: the answers are read in the order of their key, round by round, never
        # statement by statement through `ix_answer_item_id` (SQLite would then look
        # every value up in the table: 1.6× the CPU time at 4M answers).
        .join(models.Item, models.Item.id == models.Answer.item_id + 0)
        .where(models.Answer.round_id.in_(ids), published(models.Answer.round_id), is_statement())
        .group_by(models.Answer.round_id, models.Answer.response_id, models.Item.dimension_id)
        .subquery()
    )
    items_per_dimension = (
        select(models.Item.dimension_id, func.count().label("n_items"))
        .where(is_statement())
        .group_by(models.Item.dimension_id)
        .subquery()
    )
    kept = 2 * per.c.rated >= items_per_dimension.c.n_items
    stmt = select(
        per,
        models.Dimension.code.label("dimension"),
        case((kept, per.c.score)).label("kept_score"),
    ).join(models.Dimension, models.Dimension.id == per.c.dimension_id)
    stmt = stmt.join(items_per_dimension, items_per_dimension.c.dimension_id == per.c.dimension_id)
    if by is not None:
        on_key = and_(
            models.Response.round_id == per.c.round_id, models.Response.id == per.c.response_id
        )
        stmt = stmt.add_columns(models.Response.role, models.Response.agency)
        stmt = stmt.join(models.Response, on_key)
    return stmt.subquery()


def group_statistics_query(
    round_ids: Iterable[int], by: str | None = None, groups: Mapping[str, str] | None = None
) -> Select:
    """The one statement behind `dimension_stats`: per group, n, mean, mean of squares
    and median of the kept scores, with the answer counts of all its respondents, and the
    whole förbund's totals per round × dimension alongside.

    `groups` maps background choices to the report group they are shown in (a CASE in
    the statement), so merged choices are one group for n, figures and suppression.

    One pass over the answers, in the order of their key (round, response, statement),
    then one aggregate per group: the median is an aggregate of its own
    (`survey.db.median`: each group's scores sorted on their own, no window over all of
    them); SQLite has no STDDEV, so the SD comes from the mean of squares.
    """
    if by is not None and by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    per = _answers_per_respondent(round_ids, by)
    column = per.c[by] if by else None
    if column is not None and groups:
        column = case(dict(groups), value=column, else_=column)
    keys = [per.c.round_id, per.c.dimension_id] + ([column] if column is not None else [])
    whole = [per.c.round_id, per.c.dimension_id]
    n = func.count(per.c.kept_score)
    return (
        select(
            per.c.round_id,
            func.min(per.c.dimension).label("dimension"),
            (column if column is not None else null()).label("grp"),
            n.label("n"),
            func.avg(per.c.kept_score).label("mean"),
            func.avg(per.c.kept_score * per.c.kept_score).label("mean_sq"),
            median(per.c.kept_score).label("median"),
            func.count().label("respondents"),
            func.sum(per.c.answers).label("answers"),
            *[func.sum(per.c[f"p{p}"]).label(f"p{p}") for p in SCALE_POINTS],
            func.sum(n).over(partition_by=whole).label("total_n"),
            func.sum(func.count()).over(partition_by=whole).label("total_respondents"),
            func.max(models.Round.invited).label("invited"),  # see `invited`
        )
        .join(models.Round, models.Round.id == per.c.round_id)
        .group_by(*keys)
        .order_by(per.c.round_id, func.min(per.c.dimension))
    )


def dimension_stats(
    session: Session,
    round_ids: Iterable[int],
    k: int,
    by: str | None = None,
    groups: Mapping[str, str] | None = None,
) -> list[GroupStat]:
    """n, mean, SD, median, distribution and "vet ej" share per round × dimension (× role
    or agency, with merged choices as one group), suppressed below k; breakdowns also hide
    what a total would give away."""
    k = effective_k(k)
    round_ids = list(round_ids)
    with planner.aggregate_settings(session, len(round_ids)):
        rows = session.execute(group_statistics_query(round_ids, by, groups)).all()
    result: list[GroupStat] = []
    for _key, part in groupby(rows, key=lambda r: (r.round_id, r.dimension)):
        part = list(part)
        if by:
            hidden = hidden_groups(part, k)
            part = [r for r in part if r.grp is not None]
        else:
            hidden = set()
        for row in sorted(part, key=lambda r: str(r.grp) if by else ""):
            result.append(_group_stat(row, by, k, row.grp in hidden))
    return sorted(result, key=lambda s: (s.round_id, s.dimension, s.group or ""))


def hidden_groups(part: Sequence[Any], k: int) -> set[str]:
    """Groups to hide although n ≥ k, so that the förbund total minus the shown groups
    never equals the figures of fewer than k people (secondary suppression).

    Both populations are checked: respondents with a score (mean, SD) and respondents
    with any answer (distribution, "vet ej" share).
    """
    candidates = (r for r in part if r.grp is not None and r.n >= k)
    shown = sorted(candidates, key=lambda r: (r.n, r.respondents, r.grp))  # same on any DB
    if not shown:
        return set()
    rest = (
        part[0].total_n - sum(r.n for r in shown),
        part[0].total_respondents - sum(r.respondents for r in shown),
    )
    return {r.grp for r in complementary(shown, rest, k, lambda r: (r.n, r.respondents))}


def _group_stat(row: Any, by: str | None, k: int, hidden: bool) -> GroupStat:
    group = row.grp if by else None
    if row.n < k or hidden:
        return GroupStat(row.round_id, row.dimension, group, row.n, True)
    distribution = tuple(int(getattr(row, f"p{p}")) for p in SCALE_POINTS)
    answers = int(row.answers)
    variance = _sample_variance(row.n, float(row.mean), float(row.mean_sq))
    return GroupStat(
        row.round_id,
        row.dimension,
        group,
        row.n,
        False,
        mean=float(row.mean),
        sd=None if variance is None else math.sqrt(variance),
        median=float(row.median),
        distribution=distribution,
        dont_know_share=(answers - sum(distribution)) / answers,
        answers=answers,
        variance=variance,
        population=None if by or row.invited is None else int(row.invited),
    )


def variance_of_sums(n: int, total: float, total_sq: float) -> float | None:
    """`_sample_variance` from a count, a sum and a sum of squares."""
    return _sample_variance(n, total / n, total_sq / n) if n else None


def _sample_variance(n: int, mean: float, mean_sq: float) -> float | None:
    if n < 2:
        return None
    return max(mean_sq - mean * mean, 0.0) * n / (n - 1)


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
    variance: float | None = None
    population: int | None = None  # the number invited, as for `GroupStat`

    @property
    def sample(self) -> Sample | None:
        return _sample(self.suppressed, self.n, self.mean, self.variance, self.population)


def item_stats(session: Session, round_ids: Iterable[int], k: int) -> list[ItemStat]:
    """Per round × statement, after reverse coding; suppressed below k rated answers, and
    beside such a statement as many more of its dimension as keep the dimension's published
    distribution minus the shown statements from being fewer than k answers."""
    k = effective_k(k)
    value = scored_value()
    keys = [models.Response.round_id, models.Item.dimension_id, models.Item.code.label("item")]
    stmt = (
        select(
            *keys,
            func.count().label("answers"),
            func.count(models.Answer.value).label("rated"),
            func.avg(cast(value, Float)).label("rated_mean"),
            func.sum(cast(value * value, Float)).label("rated_sum_sq"),
            *[func.sum(case((value == p, 1), else_=0)).label(f"p{p}") for p in SCALE_POINTS],
            invited(models.Response.round_id).label("invited"),
        )
        .join(models.Answer, models.answers_of_response())
        .join(models.Item, models.Item.id == models.Answer.item_id)
        .where(
            models.Response.round_id.in_(list(round_ids)),
            published(models.Response.round_id),
            is_statement(),
        )
        .group_by(*keys)
        .order_by(*keys)
    )
    rows = session.execute(stmt).all()
    hidden = _hidden_statements(rows, k)
    result = []
    for row in rows:
        if (row.round_id, row.item) in hidden:
            result.append(ItemStat(row.round_id, row.item, row.rated, True))
            continue
        mean = float(row.rated_mean)
        variance = max((float(row.rated_sum_sq) - row.rated * mean * mean) / (row.rated - 1), 0.0)
        result.append(
            ItemStat(
                row.round_id,
                row.item,
                row.rated,
                False,
                mean=mean,
                sd=math.sqrt(variance),
                distribution=tuple(int(getattr(row, f"p{p}")) for p in SCALE_POINTS),
                dont_know_share=(row.answers - row.rated) / row.answers,
                answers=row.answers,
                variance=variance,
                population=None if row.invited is None else int(row.invited),
            )
        )
    return result


def _hidden_statements(rows: Sequence[Any], k: int) -> set[tuple[int, str]]:
    """(round, item) of the statements not to show. A dimension's distribution is the sum
    of its statements' distributions, so what is hidden must together hold 0 or at least k
    answers (as `_complementary` does for roles and agencies): one statement under k alone
    would otherwise be the dimension minus the others."""
    hidden: set[tuple[int, str]] = set()
    for _key, group in groupby(rows, key=lambda r: (r.round_id, r.dimension_id)):
        items = list(group)
        small = [r for r in items if r.rated < k]
        shown = sorted((r for r in items if r.rated >= k), key=lambda r: (r.rated, r.item))
        # Both what the distribution counts (ratings) and what the "vet ej" share counts.
        rest = (sum(r.rated for r in small), sum(r.answers for r in small))
        small += complementary(shown, rest, k, lambda r: (r.rated, r.answers))
        hidden.update((r.round_id, r.item) for r in small)
    return hidden


@dataclass(frozen=True)
class Reference:
    dimension: str
    mean: float | None
    n_associations: int


def reference_rounds(label: str, questionnaire_key: str, *, demo: bool) -> Select:
    """The rounds a national reference is made of: published rounds with this label and
    questionnaire (an open one would change the reference at every submit), of the demo
    förbund only or of real förbund only."""
    return (
        select(models.Round.id)
        .join(models.Questionnaire, models.Questionnaire.id == models.Round.questionnaire_id)
        .join(models.Association, models.Association.id == models.Round.association_id)
        .where(
            models.Round.label == label,
            models.Questionnaire.key == questionnaire_key,
            published(models.Round.id),
            models.Association.is_demo.is_(demo),
        )
    )


def national_reference(
    session: Session,
    label: str,
    questionnaire_key: str,
    k: int,
    *,
    demo: bool,
    minimum: int = DEFAULT_REFERENCE_ASSOCIATIONS,
) -> dict[str, Reference]:
    """Mean of förbund means per dimension in published rounds with this label, each
    förbund weighted equally; förbund suppressed in a dimension (n < k) do not count, and
    a dimension with fewer than `minimum` förbund (never below 3) has no reference: one
    förbund's "reference" is itself, and of two a board knowing its own gets the other's.

    `demo` says whose reference it is: a demo förbund's is made of the demo förbund only,
    a real förbund's never counts a demo förbund (synthetic answers are not a nation)."""
    k = effective_k(k)
    minimum = effective_reference_minimum(minimum)
    rounds = reference_rounds(label, questionnaire_key, demo=demo)
    scores = respondent_scores().where(models.Response.round_id.in_(rounds)).subquery()
    per_round = (
        select(scores.c.round_id, scores.c.dimension, func.avg(scores.c.score).label("mean"))
        .group_by(scores.c.round_id, scores.c.dimension)
        .having(func.count() >= k)
        .subquery()
    )
    stmt = (
        select(per_round.c.dimension, func.avg(per_round.c.mean), func.count())
        .group_by(per_round.c.dimension)
        .having(func.count() >= minimum)
    )
    return {dim: Reference(dim, float(mean), n) for dim, mean, n in session.execute(stmt)}


def by_dimension(stats: Sequence[GroupStat]) -> dict[str, GroupStat]:
    return {s.dimension: s for s in stats}
