"""The board's maturity picture of one published round: per dimension the current score
(from the statements, as the dashboard), the level people rated now, the level they want in
two years, the gap desired − current, the national "now", and whether each shown group
agrees or is split. Read through the publication gate (`ensure_published`); every figure
comes from the suppressed aggregates (n < k and complementary suppression applied)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from survey.disclosure import DEFAULT_REFERENCE_ASSOCIATIONS, effective_k
from survey.instruments.catalog import definition_of
from survey.maturity.agreed import agreed_levels
from survey.maturity.level_figures import level_stats, national_levels
from survey.maturity.levels import LevelStat
from survey.results import snapshot
from survey.results.overview import DimensionRow, dimension_name
from survey.results.publication import ensure_published
from survey.rounds.lifecycle import RoundHistory, round_history

#: A gap within this distance of another counts as tied (float noise never orders rows).
_TIE = 1e-9


@dataclass(frozen=True)
class LevelRow:
    code: str
    name: str
    n: int  # respondents with a kept score (the statements)
    current: float | None  # the statements' mean; None when hidden
    now: LevelStat
    want: LevelStat
    national_now: float | None
    #: Each shown report group's ratings of the level now (a hidden one: its n only).
    groups: tuple[LevelStat, ...] = ()
    #: What the round's consensus workshop agreed (None: not recorded).
    agreed_now: int | None = None
    agreed_target: int | None = None
    rationale: str = ""

    @property
    def gap(self) -> float | None:
        """Desired level minus the current score, where both are shown."""
        if self.current is None or self.want.hidden or self.want.mean is None:
            return None
        return self.want.mean - self.current

    @property
    def split(self) -> bool | None:
        """True: split, False: agreement, None: not shown (too few ratings)."""
        verdict = self.now.verdict
        return None if verdict is None else not verdict.agreed


@dataclass(frozen=True)
class MaturityPicture:
    history: RoundHistory
    k: int
    asked: bool  # the round's questionnaire has the level question
    rows: list[LevelRow]
    group_labels: dict[str, str]  # report group code -> label, in the questionnaire's order

    @property
    def round(self):
        return self.history.round

    @property
    def association(self):
        return self.history.association

    def group_stats(self) -> list[LevelStat]:
        return [stat for row in self.rows for stat in row.groups]

    def by_gap(self) -> list[LevelRow]:
        """Largest gap first; dimensions without a shown gap last, in questionnaire order."""
        shown = [r for r in self.rows if r.gap is not None]
        rest = [r for r in self.rows if r.gap is None]
        return sorted(shown, key=lambda r: -round(r.gap / _TIE) * _TIE) + rest

    def split_first(self) -> list[LevelRow]:
        """Split dimensions first, most ratings outside the band first; then agreement;
        then those with too few ratings. The order of discussion at a workshop."""

        def key(row: LevelRow) -> tuple[int, float]:
            verdict = row.now.verdict
            if verdict is None:
                return (2, 0.0)
            return (0 if not verdict.agreed else 1, -verdict.outside_share)

        return sorted(self.rows, key=key)


def maturity_picture(
    session: Session,
    slug: str,
    label: str | None,
    k: int,
    lang: str,
    *,
    reference_minimum: int = DEFAULT_REFERENCE_ASSOCIATIONS,
) -> MaturityPicture:
    """The picture of round `label` (the latest when None); NotPublished before publication."""
    history = round_history(session, slug, label)
    ensure_published(session, history)
    return picture_of(session, history, k, lang, reference_minimum=reference_minimum)


def picture_of(
    session: Session,
    history: RoundHistory,
    k: int,
    lang: str,
    *,
    reference_minimum: int = DEFAULT_REFERENCE_ASSOCIATIONS,
) -> MaturityPicture:
    k = effective_k(k)
    rnd = history.round
    described = definition_of(rnd.questionnaire)
    ids = [rnd.id]
    current = {s.dimension: s for s in snapshot.dimension_stats(session, ids, k)}
    now = {s.dimension: s for s in level_stats(session, ids, k, "now")}
    want = {s.dimension: s for s in level_stats(session, ids, k, "want")}
    role_groups = described.group_of("role")
    by_role: dict[str, list[LevelStat]] = {}
    for stat in level_stats(session, ids, k, "now", by="role", groups=role_groups):
        by_role.setdefault(stat.dimension, []).append(stat)
    national = national_levels(
        session,
        rnd.label,
        rnd.questionnaire.key,
        k,
        "now",
        demo=rnd.association.is_demo,
        minimum=reference_minimum,
    )
    agreed = agreed_levels(session, rnd.id)
    labels = dict(described.reporting_labels("role", lang))
    order = list(labels)
    rows = []
    for dim in rnd.questionnaire.dimensions:
        stat = current.get(dim.code)
        empty = LevelStat(rnd.id, dim.code, "now", None, 0, True)
        groups = sorted(by_role.get(dim.code, []), key=lambda s: _position(order, s.group))
        rows.append(
            LevelRow(
                code=dim.code,
                name=dimension_name(dim, lang),
                n=stat.n if stat else 0,
                current=None if stat is None or stat.suppressed else stat.mean,
                now=now.get(dim.code, empty),
                want=want.get(dim.code, LevelStat(rnd.id, dim.code, "want", None, 0, True)),
                national_now=national.get(dim.code),
                groups=tuple(groups),
                agreed_now=agreed[dim.code].current_level if dim.code in agreed else None,
                agreed_target=agreed[dim.code].target_level if dim.code in agreed else None,
                rationale=agreed[dim.code].rationale if dim.code in agreed else "",
            )
        )
    return MaturityPicture(history, k, described.level_question is not None, rows, labels)


def gaps_and_agreement(
    session: Session, history: RoundHistory, rows: Sequence[DimensionRow], k: int
) -> MaturityPicture:
    """The picture's gaps and agreement only, on the overview rows a page already holds
    (their shown means are the current scores): two queries, the level now and desired,
    none when the questionnaire does not ask. For the dashboard's and report's sentences."""
    k = effective_k(k)
    rnd = history.round
    asked = definition_of(rnd.questionnaire).level_question is not None
    ids = [rnd.id]
    now = {s.dimension: s for s in level_stats(session, ids, k, "now")} if asked else {}
    want = {s.dimension: s for s in level_stats(session, ids, k, "want")} if asked else {}
    levels = [
        LevelRow(
            code=r.code,
            name=r.name,
            n=r.n,
            current=None if r.suppressed else r.mean,
            now=now.get(r.code, LevelStat(rnd.id, r.code, "now", None, 0, True)),
            want=want.get(r.code, LevelStat(rnd.id, r.code, "want", None, 0, True)),
            national_now=None,
        )
        for r in rows
    ]
    return MaturityPicture(history, k, asked, levels, {})


def _position(order: list[str], code: str | None) -> int:
    return order.index(code) if code in order else len(order)
