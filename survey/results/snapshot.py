"""The publication snapshot (issue 23): a published round's figures computed once, in the
unit of work that publishes it, and read by every page after.

`build` stores what `survey.results.scoring` computes for one round, after k and
complementary suppression, so the snapshot holds nothing a live page would not show: the
whole förbund per dimension (which is also the round's contribution to the national
reference), the role and agency breakdowns with the questionnaire's report groups, and the
statements. The readers below have the signatures of scoring's functions and give the
same results: a round without a snapshot at the k asked for (published before this code,
written straight into the tables, or asked with another k) is computed live, so a missing
snapshot is slower, never different. The national reference stays a rule applied at read
(`MIN_REFERENCE_ASSOCIATIONS`, demo förbund apart, a förbund below k not counted): it is
an average over the snapshot rows of the rounds `scoring.reference_rounds` chooses.

Snapshot rows exist for published rounds only (the publication gate chooses the rounds
to build and every read still filters with it); `survey figures rebuild` remakes them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, delete, func, insert, null, select, union_all
from sqlalchemy.orm import Session

from survey.db import models
from survey.disclosure import (
    DEFAULT_REFERENCE_ASSOCIATIONS,
    effective_k,
    effective_reference_minimum,
)
from survey.instruments.catalog import definition_of
from survey.results import scoring
from survey.results.gate import published, published_rounds
from survey.rounds import lifecycle

TOTAL = "total"
ITEM = "item"
_POINTS = [f"p{p}" for p in scoring.SCALE_POINTS]
_FIGURES = ("mean", "sd", "median", "variance", "dont_know_share", "answers", "population")


def build(session: Session, round_id: int, k: int) -> None:
    """Compute and store the figures of one published round at k (replacing any it had).
    Inside the caller's unit of work: publishing builds it in its own transaction."""
    rnd = session.get(models.Round, round_id)
    if rnd is None or not lifecycle.is_published(rnd):
        raise ValueError(f"round {round_id} is not published: it has no figures to keep")
    k = effective_k(k)
    drop(session, [round_id])
    q = definition_of(rnd.questionnaire)
    rows: list[dict[str, Any]] = []
    kinds: list[tuple[str, Sequence[Any]]] = [
        (TOTAL, scoring.dimension_stats(session, [round_id], k))
    ]
    for by in scoring.BREAKDOWNS:
        kinds.append((by, scoring.dimension_stats(session, [round_id], k, by, q.group_of(by))))
    kinds.append((ITEM, scoring.item_stats(session, [round_id], k)))
    for kind, stats in kinds:
        rows += [_row(round_id, kind, position, stat) for position, stat in enumerate(stats)]
    session.add(models.FigureSnapshot(round_id=round_id, k=k))
    session.flush()
    if rows:
        session.execute(insert(models.SnapshotFigure), rows)


def drop(session: Session, round_ids: Iterable[int]) -> None:
    """Forget the snapshots of these rounds (rows first: SQLite enforces no cascade)."""
    ids = list(round_ids)
    session.execute(delete(models.SnapshotFigure).where(models.SnapshotFigure.round_id.in_(ids)))
    session.execute(delete(models.FigureSnapshot).where(models.FigureSnapshot.round_id.in_(ids)))


def rebuild_all(session: Session, k: int) -> int:
    """Every published round's snapshot made again at k (after a restore, an import or a
    bulk load written straight into the tables); any other snapshot goes. Returns how many."""
    session.execute(delete(models.SnapshotFigure))
    session.execute(delete(models.FigureSnapshot))
    ids = list(session.scalars(published_rounds().order_by(models.Round.id)))
    for round_id in ids:
        build(session, round_id, k)
    return len(ids)


def _row(round_id: int, kind: str, position: int, stat: Any) -> dict[str, Any]:
    is_item = kind == ITEM
    distribution = stat.distribution or (None,) * len(_POINTS)
    return {
        "round_id": round_id,
        "kind": kind,
        "position": position,
        "key": stat.item if is_item else stat.dimension,
        "grp": None if is_item else stat.group,
        "n": stat.n,
        "suppressed": stat.suppressed,
        "median": None if is_item else stat.median,
        **{name: getattr(stat, name) for name in _FIGURES if name != "median"},
        **dict(zip(_POINTS, distribution, strict=True)),
    }


def stored_rows(
    session: Session, round_ids: Sequence[int], k: int, wanted: ColumnElement[bool]
) -> dict[int, list[Row]]:
    """round id -> its `wanted` snapshot rows (plain rows, no ORM objects: a page reads a
    few hundred), for the rounds with a snapshot at k (a round with one but no such rows
    maps to none)."""
    figure = models.SnapshotFigure.__table__
    header = models.FigureSnapshot
    stmt = (
        select(header.round_id.label("snapshot_round"), *figure.c)
        .outerjoin(figure, (figure.c.round_id == header.round_id) & wanted)
        .where(
            header.round_id.in_(list(round_ids)),
            header.k == k,
            published(header.round_id),
        )
        .order_by(header.round_id, figure.c.kind, figure.c.position)
    )
    found: dict[int, list[Row]] = {}
    for row in session.execute(stmt):
        found.setdefault(row.snapshot_round, [])
        if row.kind is not None:
            found[row.snapshot_round].append(row)
    return found


def _distribution(row: Row) -> tuple[int, ...] | None:
    values = tuple(getattr(row, p) for p in _POINTS)
    return None if values[0] is None else values


def _group_stat(row: Row) -> scoring.GroupStat:
    if row.suppressed:
        return scoring.GroupStat(row.round_id, row.key, row.grp, row.n, True)
    values = {f.name: getattr(row, f.name) for f in fields(scoring.GroupStat) if f.name in _FIGURES}
    return scoring.GroupStat(
        row.round_id, row.key, row.grp, row.n, False, distribution=_distribution(row), **values
    )


def _item_stat(row: Row) -> scoring.ItemStat:
    if row.suppressed:
        return scoring.ItemStat(row.round_id, row.key, row.n, True)
    values = {f.name: getattr(row, f.name) for f in fields(scoring.ItemStat) if f.name in _FIGURES}
    return scoring.ItemStat(
        row.round_id, row.key, row.n, False, distribution=_distribution(row), **values
    )


def merged(
    stored: dict[int, list], kind: str, live: Sequence[Any], convert: Callable[[Any], Any]
) -> list[Any]:
    """Snapshot and live figures in scoring's order (by round first, then as computed)."""
    per_round: dict[int, list[Any]] = {
        rid: [convert(r) for r in rows if r.kind == kind] for rid, rows in stored.items()
    }
    for stat in live:
        per_round.setdefault(stat.round_id, []).append(stat)
    return [stat for rid in sorted(per_round) for stat in per_round[rid]]


def group_stats(
    session: Session,
    round_ids: Iterable[int],
    k: int,
    breakdowns: Mapping[str, Mapping[str, str]] | None = None,
    breakdown_round: int | None = None,
) -> dict[str | None, list[scoring.GroupStat]]:
    """In one statement: `scoring.dimension_stats` of `round_ids` (under None), and of
    `breakdown_round` (one of them) by each role or agency in `breakdowns` (by -> the
    round's own questionnaire's report groups, with which the snapshot was made)."""
    k = effective_k(k)
    ids = list(dict.fromkeys(round_ids))
    breakdowns = dict(breakdowns or {})
    kind = models.SnapshotFigure.kind
    wanted = (kind == TOTAL) | (
        (models.SnapshotFigure.round_id == breakdown_round) & kind.in_(list(breakdowns))
    )
    stored = stored_rows(session, ids, k, wanted)
    missing = [rid for rid in ids if rid not in stored]
    live = scoring.dimension_stats(session, missing, k) if missing else []
    result: dict[str | None, list[scoring.GroupStat]] = {
        None: merged(stored, TOTAL, live, _group_stat)
    }
    for by, groups in breakdowns.items():
        rows = {rid: v for rid, v in stored.items() if rid == breakdown_round}
        absent = [rid for rid in [breakdown_round] if rid is not None and rid not in rows]
        live = scoring.dimension_stats(session, absent, k, by, groups) if absent else []
        result[by] = merged(rows, by, live, _group_stat)
    return result


def dimension_stats(
    session: Session,
    round_ids: Iterable[int],
    k: int,
    by: str | None = None,
    groups: Mapping[str, str] | None = None,
) -> list[scoring.GroupStat]:
    """`scoring.dimension_stats` read from the snapshot; `groups` must be the round's own
    questionnaire's report groups (the snapshot was made with them)."""
    if by is None:
        return group_stats(session, round_ids, k)[None]
    k = effective_k(k)
    ids = list(dict.fromkeys(round_ids))
    stored = stored_rows(session, ids, k, models.SnapshotFigure.kind == by)
    missing = [rid for rid in ids if rid not in stored]
    live = scoring.dimension_stats(session, missing, k, by, groups) if missing else []
    return merged(stored, by, live, _group_stat)


def item_stats(session: Session, round_ids: Iterable[int], k: int) -> list[scoring.ItemStat]:
    """`scoring.item_stats` read from the snapshot."""
    k = effective_k(k)
    ids = list(dict.fromkeys(round_ids))
    stored = stored_rows(session, ids, k, models.SnapshotFigure.kind == ITEM)
    missing = [rid for rid in ids if rid not in stored]
    live = scoring.item_stats(session, missing, k) if missing else []
    return merged(stored, ITEM, live, _item_stat)


def national_reference(
    session: Session,
    label: str,
    questionnaire_key: str,
    k: int,
    *,
    demo: bool,
    minimum: int = DEFAULT_REFERENCE_ASSOCIATIONS,
) -> dict[str, scoring.Reference]:
    """`scoring.national_reference` as an average over the snapshot rows of the reference's
    rounds (each förbund's mean where at least k have a score), its minimum of förbund
    applied here; computed live when any of those rounds has no snapshot at k."""
    k = effective_k(k)
    rounds = scoring.reference_rounds(label, questionnaire_key, demo=demo)
    found = kept_averages(session, rounds, TOTAL, unkept(k), minimum)
    if found is None:
        return scoring.national_reference(
            session, label, questionnaire_key, k, demo=demo, minimum=minimum
        )
    return {d: scoring.Reference(d, mean, n) for d, (mean, n) in found.items()}


def unkept(k: int) -> ColumnElement[bool]:
    """A round without a snapshot at k."""
    with_snapshot = select(models.FigureSnapshot.round_id).where(models.FigureSnapshot.k == k)
    return models.Round.id.not_in(with_snapshot)


def kept_averages(
    session: Session,
    rounds: Select[Any],
    kind: str,
    missing: ColumnElement[bool],
    minimum: int,
) -> dict[str, tuple[float, int]] | None:
    """A national reference from the snapshot: per key, the mean of the `rounds`' shown
    `kind` rows and how many there are, keys with fewer than the reference minimum of
    förbund left out; None when any of those rounds is `missing` (the caller computes it
    live). One statement: the averages, and a row (key NULL) counting the missing rounds."""
    absent = select(null().label("key"), null().label("mean"), func.count().label("n")).where(
        models.Round.id.in_(rounds.where(missing))
    )
    figure = models.SnapshotFigure
    found = (
        select(figure.key, func.avg(figure.mean), func.count())
        .where(figure.kind == kind, figure.suppressed.is_(False), figure.round_id.in_(rounds))
        .group_by(figure.key)
        .having(func.count() >= effective_reference_minimum(minimum))
    )
    rows = session.execute(union_all(absent, found)).all()
    if any(key is None and n for key, _mean, n in rows):
        return None
    return {key: (float(mean), n) for key, mean, n in rows if key is not None}
