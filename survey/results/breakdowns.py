"""One förbund's dimension scores side by side across groups: by role or member agency (do
views differ?) and across its rounds (did it move?). Differences are only ever taken
between groups that are both shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from survey import disclosure
from survey.db import models
from survey.instruments.catalog import definition_of
from survey.results import scoring, snapshot
from survey.results.overview import dimension_name
from survey.results.rounding import extremes, same
from survey.results.uncertainty import Difference, welch
from survey.rounds.lifecycle import RoundHistory


@dataclass(frozen=True)
class Column:
    key: str  # role or agency code, or round label
    label: str
    #: a role's or agency's place among the questionnaire's choices (its colour, whether
    #: or not the others are shown); for rounds, how many rounds before the one shown
    position: int = 0


@dataclass(frozen=True)
class Gap:
    """Highest minus lowest shown group; tied groups are all named, in column order."""

    highs: tuple[str, ...]  # column labels
    lows: tuple[str, ...]
    high_mean: float
    low_mean: float
    interval: Difference | None = None  # 95 % Welch interval (the widest among tied pairs)

    @property
    def difference(self) -> float:
        return self.high_mean - self.low_mean

    @property
    def high(self) -> str:
        return ", ".join(self.highs)

    @property
    def low(self) -> str:
        return ", ".join(self.lows)

    @property
    def clear(self) -> bool:
        return self.interval is not None and self.interval.clear


@dataclass(frozen=True)
class BreakdownRow:
    code: str
    name: str
    cells: list[scoring.GroupStat]  # one per column, suppressed cells carry no figures
    gap: Gap | None  # highest minus lowest shown cell; None with fewer than two shown


@dataclass(frozen=True)
class Breakdown:
    by: str  # "role", "agency" or "round"
    k: int
    columns: list[Column]
    rows: list[BreakdownRow]

    def column_shown(self, index: int) -> bool:
        """Whether any dimension shows a figure for this column (else: no chart trace)."""
        return any(not row.cells[index].suppressed for row in self.rows)

    @property
    def largest_gaps(self) -> list[BreakdownRow]:
        """The dimension(s) where views differ most; every tied one."""
        with_gap = [r for r in self.rows if r.gap is not None]
        return extremes(with_gap, lambda r: r.gap.difference if r.gap else 0.0, lowest=False)


def gap_between(columns: list[Column], cells: list[scoring.GroupStat]) -> Gap | None:
    shown = [(c, col.label) for col, c in zip(columns, cells, strict=True) if c.mean is not None]
    if len(shown) < 2:
        return None
    top = max(c.mean for c, _ in shown if c.mean is not None)
    bottom = min(c.mean for c, _ in shown if c.mean is not None)
    highs = [(c, label) for c, label in shown if c.mean is not None and same(c.mean, top)]
    lows = [(c, label) for c, label in shown if c.mean is not None and same(c.mean, bottom)]
    if same(top, bottom):  # everyone shown agrees: no gap to name
        highs, lows = [highs[0]], [lows[-1]]
    intervals = [
        welch(h.sample, lo.sample)
        for h, _ in highs
        for lo, _ in lows
        if h is not lo and h.sample and lo.sample
    ]
    widest = max(intervals, key=lambda d: d.high - d.low, default=None)
    return Gap(
        tuple(label for _, label in highs), tuple(label for _, label in lows), top, bottom, widest
    )


def _table(
    rnd: models.Round,
    by: str,
    k: int,
    lang: str,
    columns: list[Column],
    stats: dict[tuple[str, str], scoring.GroupStat],
    round_of_column: dict[str, int],
) -> Breakdown:
    rows = []
    for dim in rnd.questionnaire.dimensions:
        cells = [
            stats.get((col.key, dim.code))
            or scoring.GroupStat(round_of_column[col.key], dim.code, col.key, 0, True)
            for col in columns
        ]
        gap = gap_between(columns, cells) if by != "round" else None
        rows.append(BreakdownRow(dim.code, dimension_name(dim, lang), cells, gap))
    return Breakdown(by, k, columns, rows)


def breakdown(
    session: Session,
    rnd: models.Round,
    k: int,
    lang: str,
    by: str,
    found: Sequence[scoring.GroupStat] | None = None,
) -> Breakdown:
    """Dimension scores per role or member agency in one round, with the choices the
    questionnaire merges for reporting shown as one group. Groups nobody answered from are
    left out; groups too small to show stay, marked as such. `found` may bring the round's
    `dimension_stats` by `by` already read (a page reads all its figures at once)."""
    if by not in scoring.BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    k = disclosure.effective_k(k)
    q = definition_of(rnd.questionnaire)
    if found is None:
        found = snapshot.dimension_stats(session, [rnd.id], k, by, q.group_of(by))
    stats = {(s.group, s.dimension): s for s in found}
    present = {group for group, _dim in stats}
    choices = q.reporting_labels(by, lang)
    columns = [
        Column(code, label, position)
        for position, (code, label) in enumerate(choices)
        if code in present
    ]
    # A code no longer among the choices (an older version) still shows, under its code.
    known = {c.key for c in columns}
    columns += [
        Column(code, code, len(choices) + i)
        for i, code in enumerate(sorted(c for c in present - known if c))
    ]
    return _table(rnd, by, k, lang, columns, stats, {c.key: rnd.id for c in columns})


def trend_of(
    session: Session,
    history: RoundHistory,
    k: int,
    lang: str,
    stats: Sequence[scoring.GroupStat] | None = None,
) -> Breakdown:
    """The trend up to `history.round`. `stats` may bring `dimension_stats` already computed
    for (at least) its earlier rounds, so a page computes them once for overview and trend."""
    k = disclosure.effective_k(k)
    rounds = history.earlier
    label_of = {r.id: r.label for r in rounds}
    if stats is None:
        stats = snapshot.dimension_stats(session, list(label_of), k)
    by_column = {(label_of[s.round_id], s.dimension): s for s in stats if s.round_id in label_of}
    columns = [Column(r.label, r.label, len(rounds) - 1 - i) for i, r in enumerate(rounds)]
    return _table(
        history.round, "round", k, lang, columns, by_column, {r.label: r.id for r in rounds}
    )
