"""What a board sees for one förbund and round: dimension rows combining the förbund's
statistics with the national reference and the change since the förbund's previous round.
Shared by the pages, charts, JSON and board exports so they all show the same numbers and
the same suppression."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey import disclosure
from survey.db import models
from survey.disclosure import DEFAULT_REFERENCE_ASSOCIATIONS, effective_reference_minimum
from survey.instruments.catalog import definition_of
from survey.instruments.questionnaire import Level
from survey.results import scoring, snapshot
from survey.results.gate import published
from survey.results.rounding import extremes
from survey.results.uncertainty import Difference, welch
from survey.rounds.lifecycle import RoundHistory, history_of


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
    median: float | None = None
    distribution: tuple[int, ...] | None = None  # answers 1–5 after reverse coding
    dont_know_share: float | None = None
    answers: int | None = None
    previous_mean: float | None = None
    #: this round's mean minus the previous round's; None unless both are shown
    change: float | None = None
    #: the change with its 95 % interval (Welch); None unless both rounds are shown
    difference: Difference | None = None
    #: The described level nearest to the mean (see Dimension.level_for) and its text.
    level: int | None = None
    level_text: str | None = None

    @property
    def shares(self) -> tuple[float, ...] | None:
        return scoring.shares(self.distribution)


@dataclass(frozen=True)
class RoundOverview:
    association: str
    round_label: str
    k: int
    respondents: int
    rows: list[DimensionRow]
    previous_label: str | None = None
    #: the fewest förbund a national reference averages (below it there is none)
    reference_minimum: int = DEFAULT_REFERENCE_ASSOCIATIONS

    @property
    def has_reference(self) -> bool:
        """Whether any dimension has a national reference (enough förbund published)."""
        return any(r.national_mean is not None for r in self.rows)

    @property
    def shown(self) -> list[DimensionRow]:
        return [r for r in self.rows if not r.suppressed]

    @property
    def weakest(self) -> list[DimensionRow]:
        """The dimensions with the lowest mean: all of them when tied."""
        return extremes(self.shown, lambda r: r.mean or 0.0, lowest=True)

    @property
    def strongest(self) -> list[DimensionRow]:
        return extremes(self.shown, lambda r: r.mean or 0.0, lowest=False)

    @property
    def comparable(self) -> list[DimensionRow]:
        """The dimensions shown in this round and the previous one."""
        return [r for r in self.rows if r.difference is not None]

    def clear_changes(self, direction: int) -> list[DimensionRow]:
        """Dimensions that clearly rose (+1) or fell (−1): the interval excludes 0."""
        return [r for r in self.comparable if r.difference and r.difference.direction == direction]

    def biggest_changes(self, count: int = 3) -> list[DimensionRow]:
        """The comparable dimensions that moved most, clear or not, largest first."""
        return sorted(self.comparable, key=lambda r: abs(r.change or 0.0), reverse=True)[:count]

    def largest_change(self, direction: int) -> list[DimensionRow]:
        """The clear change(s) of this direction furthest from 0, every tied one."""
        return extremes(self.clear_changes(direction), lambda r: abs(r.change or 0.0), lowest=False)


def submitted_count(session: Session, round_id: int) -> int:
    """The round's submitted responses as a figure beside its means: 0 until published."""
    stmt = (
        select(func.count())
        .select_from(models.Response)
        .filter_by(round_id=round_id)
        .where(published(models.Response.round_id))
    )
    return session.scalar(stmt) or 0


def dimension_name(dim: models.Dimension, lang: str) -> str:
    return dim.name_en if lang == "en" else dim.name_sv


def scale_labels(rnd: models.Round, lang: str) -> list[str]:
    """The labels of the points 1–5, as the respondents saw them."""
    scale = definition_of(rnd.questionnaire).scale
    return [scale.labels[p].get(lang) or scale.labels[p]["sv"] for p in scale.points]


def round_overview(
    session: Session,
    rnd: models.Round,
    k: int,
    lang: str,
    *,
    reference_minimum: int = DEFAULT_REFERENCE_ASSOCIATIONS,
) -> RoundOverview:
    history = history_of(session, rnd)
    return overview_of(session, history, k, lang, reference_minimum=reference_minimum)


def overview_of(
    session: Session,
    history: RoundHistory,
    k: int,
    lang: str,
    stats: Sequence[scoring.GroupStat] | None = None,
    *,
    reference_minimum: int = DEFAULT_REFERENCE_ASSOCIATIONS,
) -> RoundOverview:
    """The overview of `history.round`. `stats` may bring `dimension_stats` already computed
    for (at least) this round and the previous one, as a page that also shows the trend
    has them; the figures of a round do not depend on which other rounds were asked with."""
    k = disclosure.effective_k(k)
    rnd, previous = history.round, history.previous
    if stats is None:
        stats = snapshot.dimension_stats(session, [r.id for r in (rnd, previous) if r], k)
    now = {s.dimension: s for s in stats if s.round_id == rnd.id}
    before = {s.dimension: s for s in stats if previous and s.round_id == previous.id}
    national = snapshot.national_reference(
        session,
        rnd.label,
        rnd.questionnaire.key,
        k,
        demo=rnd.association.is_demo,
        minimum=reference_minimum,
    )
    described = definition_of(rnd.questionnaire)
    rows = [
        _row(
            dim,
            lang,
            now.get(dim.code) or scoring.GroupStat(rnd.id, dim.code, None, 0, True),
            national.get(dim.code),
            before.get(dim.code),
            described.dimension(dim.code).level_for,
        )
        for dim in rnd.questionnaire.dimensions
    ]
    return RoundOverview(
        rnd.association.name,
        rnd.label,
        k,
        submitted_count(session, rnd.id),
        rows,
        previous.label if previous else None,
        effective_reference_minimum(reference_minimum),
    )


def _row(
    dim: models.Dimension,
    lang: str,
    s: scoring.GroupStat,
    ref: scoring.Reference | None,
    prev: scoring.GroupStat | None,
    level_for: Callable[[float | None], Level | None],
) -> DimensionRow:
    prev_mean = prev.mean if prev else None
    now_sample, prev_sample = s.sample, prev.sample if prev else None
    difference = welch(now_sample, prev_sample) if now_sample and prev_sample else None
    level = level_for(s.mean)
    return DimensionRow(
        code=dim.code,
        name=dimension_name(dim, lang),
        group=dim.group,
        n=s.n,
        suppressed=s.suppressed,
        mean=s.mean,
        sd=s.sd,
        national_mean=ref.mean if ref else None,
        national_associations=ref.n_associations if ref else 0,
        median=s.median,
        distribution=s.distribution,
        dont_know_share=s.dont_know_share,
        answers=s.answers,
        previous_mean=prev_mean,
        change=None if s.mean is None or prev_mean is None else s.mean - prev_mean,
        difference=difference,
        level=level.point if level else None,
        level_text=(level.text.get(lang) or level.text["sv"]) if level else None,
    )
