"""The level question's figures in the publication snapshot (issue 23): the level rated now
and wanted in two years per dimension for the whole förbund, and now per role report
group, stored at publication beside the scores (`survey.results.snapshot`, whose tables
they share under kinds of their own) and read by the maturity picture and the dashboard.

As there, the readers have the signatures of the live functions (`levels.level_stats`,
`levels.national_levels`) and give the same results; a round without these rows at the k
asked for is computed live, so a missing snapshot is slower, never different. The rows
hold what `level_stats` gives after k and complementary suppression (a hidden group only
its n); the mean and the agreement verdict are made again from the counts when read.

`build` and `rebuild_all` make a round's whole snapshot, scores and levels: publication,
`survey figures rebuild` and the demo call them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from survey.db import models
from survey.disclosure import (
    DEFAULT_REFERENCE_ASSOCIATIONS,
    effective_k,
)
from survey.instruments.catalog import definition_of
from survey.maturity.agreement import POINTS, judge
from survey.maturity.levels import LevelStat
from survey.maturity.levels import level_stats as live_level_stats
from survey.maturity.levels import national_levels as live_national_levels
from survey.results import snapshot
from survey.results.gate import published_rounds
from survey.results.scoring import reference_rounds

#: Snapshot kinds: (level kind, breakdown) -> the rows' `kind`.
KINDS = {("now", None): "level-now", ("want", None): "level-want", ("now", "role"): "level-role"}
_POINTS = [f"p{p}" for p in POINTS]


def build(session: Session, round_id: int, k: int) -> None:
    """A published round's whole snapshot at k: its scores, then its levels."""
    snapshot.build(session, round_id, k)
    add_levels(session, round_id, effective_k(k))


def rebuild_all(session: Session, k: int) -> int:
    """`snapshot.rebuild_all` with the levels: every published round's snapshot at k."""
    count = snapshot.rebuild_all(session, k)
    for round_id in session.scalars(published_rounds().order_by(models.Round.id)):
        add_levels(session, round_id, effective_k(k))
    return count


def add_levels(session: Session, round_id: int, k: int) -> None:
    """The level rows of a round whose snapshot (at k) exists; none when its questionnaire
    asks no level question (replacing any it had)."""
    figure = models.SnapshotFigure
    kinds = list(KINDS.values())
    session.execute(delete(figure).where(figure.round_id == round_id, figure.kind.in_(kinds)))
    rnd = session.get(models.Round, round_id)
    q = definition_of(rnd.questionnaire)
    if q.level_question is None:
        return
    rows: list[dict[str, Any]] = []
    for (kind, by), tag in KINDS.items():
        groups = q.group_of(by) if by else None
        stats = live_level_stats(session, [round_id], k, kind, by, groups)
        rows += [_row(round_id, tag, position, stat) for position, stat in enumerate(stats)]
    if rows:
        session.execute(insert(models.SnapshotFigure), rows)


def _row(round_id: int, tag: str, position: int, stat: LevelStat) -> dict[str, Any]:
    counts = stat.counts or (None,) * len(_POINTS)
    return {
        "round_id": round_id,
        "kind": tag,
        "position": position,
        "key": stat.dimension,
        "grp": stat.group,
        "n": stat.n,
        "suppressed": stat.hidden,
        "mean": stat.mean,
        **dict(zip(_POINTS, counts, strict=True)),
    }


def _stat(row: Row, kind: str) -> LevelStat:
    if row.suppressed:
        return LevelStat(row.round_id, row.key, kind, row.grp, row.n, True)
    counts = tuple(int(getattr(row, p)) for p in _POINTS)
    mean = sum(p * c for p, c in zip(POINTS, counts, strict=True)) / row.n
    verdict = judge(dict(zip(POINTS, counts, strict=True)))
    return LevelStat(row.round_id, row.key, kind, row.grp, row.n, False, counts, mean, verdict)


def level_stats(
    session: Session,
    round_ids: Iterable[int],
    k: int,
    kind: str = "now",
    by: str | None = None,
    groups: Mapping[str, str] | None = None,
) -> list[LevelStat]:
    """`levels.level_stats` read from the snapshot; `groups` must be the round's own
    questionnaire's report groups (the snapshot was made with them). A round without
    rows of this kind (not published at this k, or snapshot made before levels were kept)
    is computed live."""
    tag = KINDS.get((kind, by))
    ids = list(dict.fromkeys(round_ids))
    if tag is None:
        return live_level_stats(session, ids, k, kind, by, groups)
    k = effective_k(k)
    stored = snapshot.stored_rows(session, ids, k, models.SnapshotFigure.kind == tag)
    kept = {rid: rows for rid, rows in stored.items() if rows}
    missing = [rid for rid in ids if rid not in kept]
    live = live_level_stats(session, missing, k, kind, by, groups) if missing else []
    return snapshot.merged(kept, tag, live, lambda row: _stat(row, kind))


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
    """`levels.national_levels` as an average over the snapshot's level rows of the
    reference's rounds (a förbund's mean where at least k rated the level: its row is not
    suppressed), its minimum of förbund applied here; computed live when any of those
    rounds has no snapshot at k or one without level rows though it asks the question."""
    k = effective_k(k)
    tag = KINDS[(kind, None)]
    rounds = reference_rounds(label, questionnaire_key, demo=demo)
    with_levels = select(models.SnapshotFigure.round_id).where(models.SnapshotFigure.kind == tag)
    asking = select(models.Item.questionnaire_id).where(models.Item.kind == kind)
    missing = snapshot.unkept(k) | (
        models.Round.questionnaire_id.in_(asking) & models.Round.id.not_in(with_levels)
    )
    found = snapshot.kept_averages(session, rounds, tag, missing, minimum)
    if found is None:
        return live_national_levels(
            session, label, questionnaire_key, k, kind, demo=demo, minimum=minimum
        )
    return {dimension: mean for dimension, (mean, _n) in found.items()}
