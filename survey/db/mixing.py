"""Submitted rows kept in no order: a copy of the database must not list a round's
responses in the order they came in.

Random keys are enough on SQLite (its `WITHOUT ROWID` tables are stored by key), but a
PostgreSQL heap keeps rows where they were written: `ORDER BY ctid`, `pg_dump` (which
writes a table in heap order) and the `xmin` of each row (the id of the transaction that
wrote it, a clock) listed the responses in submission order. So rows are never written
one submission at a time:

- **Each submit** (PostgreSQL; on SQLite the new response alone, as its `WITHOUT ROWID`
  tables are kept in key order whatever the order of writing, and its single writer would
  only wait longer) writes the new response together with up to `MIX - 1` responses of the
  same round chosen at random, all deleted and written again under new random keys, in a
  random order, in the submit's one transaction. Whoever reads the heap or the `xmin`s sees
  groups of `MIX` responses (all of them while a round has fewer): the newest submission
  is one of its group, and a row's group says only that it was written at that submit or
  moved then, never which.
- **At close and at publication** the whole round is written again in one random order in
  one transaction (`mix_round`), and on PostgreSQL `forget_old_rows` then rewrites the
  three tables' files (`VACUUM FULL`), so their old versions are gone from the data files.

What remains is in docs/design.md (threat model).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, bindparam, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from survey.db import models

#: How many responses a submit writes together (the new one and MIX - 1 moved ones).
MIX = 20
#: How long `forget_old_rows` waits for the tables' exclusive lock before settling for a
#: plain VACUUM (a long export reading them must not stall every page behind it).
VACUUM_LOCK_TIMEOUT = "5s"
#: How many imported responses one insert writes (survey.imports: `write_new`).
WRITE_BATCH = 1000

_shuffle = random.SystemRandom().shuffle


@dataclass(frozen=True)
class Submitted:
    """One response's content, without a key: what a respondent gave."""

    language: str
    role: str | None
    agency: str | None
    years: str | None
    answers: Sequence[tuple[int, int | None]] = field(default_factory=tuple)  # item, value
    comments: Sequence[tuple[int, str]] = field(default_factory=tuple)  # dimension, text


_RESPONSE = models.Response.__table__
_THIS_ROUND = select(models.Round.id).where(models.Round.id == bindparam("round_id"))
_ROUND_STATE = (
    select(models.Round.state)
    .where(models.Round.id == bindparam("round_id"))
    .with_for_update(read=True)
)
_ROUND_KEYS = select(_RESPONSE.c.id).where(_RESPONSE.c.round_id == bindparam("round_id"))


def _run(beyond: ColumnElement[bool]) -> Select[tuple[int]]:
    """A run of responses in key order, through the (round, key) index. Rows another submit
    is moving right now are skipped rather than waited for (PostgreSQL; FOR UPDATE is not
    written for SQLite, whose writer is alone)."""
    return (
        _ROUND_KEYS.where(beyond)
        .order_by(_RESPONSE.c.id)
        .limit(bindparam("count"))
        .with_for_update(skip_locked=True)
    )


_FROM_POINT = _run(_RESPONSE.c.id >= bindparam("point"))
_BEFORE_POINT = _run(_RESPONSE.c.id < bindparam("point"))


def _lock_round(session: Session, round_id: int) -> None:
    """The round's one mixing writer (PostgreSQL; SQLite's writer is alone): a close, a
    publication or an import waits for the submits under way and holds off new ones."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_THIS_ROUND.with_for_update(), {"round_id": round_id})


def share_round(session: Session, round_id: int) -> str | None:
    """A submit, before `mix_round`: side by side with other submits (each moves rows no
    other is moving), but never during a close, publication or import of the round
    (`_lock_round`). Returns the round's state as it is once the lock is held (PostgreSQL;
    None on SQLite, whose writer is alone): a close that committed while the submit waited
    is seen, though the submit read its round before."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return session.execute(_ROUND_STATE, {"round_id": round_id}).scalar_one()


def _random_run(session: Session, round_id: int, count: int) -> list[int]:
    """`count` responses of the round (all, if it has fewer): the run that follows a random
    point in key order, wrapping round at the end. Keys are random, so neighbours in key
    order are a random choice of responses, whatever their submission order; found through
    the (round, key) index rather than by sorting the whole round by random() on every
    submit. (A response after a wide gap between keys is a little likelier to be chosen; the
    gaps are random too, and every response gets a new key each time it moves.)"""
    if count <= 0:
        return []
    point = models.random_key()
    given = {"round_id": round_id, "point": point, "count": count}
    chosen = list(session.scalars(_FROM_POINT, given))
    if len(chosen) < count:
        given["count"] = count - len(chosen)
        chosen += session.scalars(_BEFORE_POINT, given)
    return chosen


def submit_group(session: Session) -> int:
    """How many responses a submit writes together on this database."""
    return MIX if session.get_bind().dialect.name == "postgresql" else 1


def mix_round(
    session: Session, round_id: int, new: Submitted | None = None, *, limit: int | None = None
) -> None:
    """Write `new` (if any) and `limit - 1` random responses of the round (all of them when
    `limit` is None) again, in random order under new random keys."""
    if limit == 1 and new is not None:
        insert(session, round_id, [new])
        return
    if limit is None:
        _mix_whole_round(session, round_id, new)
        return
    # A submit, which holds the round for share (`share_round`).
    chosen = _random_run(session, round_id, limit - (new is not None))
    moved = _take(session, round_id, chosen)
    group = moved + ([new] if new is not None else [])
    _shuffle(group)
    insert(session, round_id, group)


def _mix_whole_round(session: Session, round_id: int, new: Submitted | None) -> None:
    """Every response of the round (and `new`) written again in one random order, a batch
    of WRITE_BATCH at a time: the keys are shuffled, cut into batches, and each batch is
    read, deleted and written shuffled once more (a random cut of a random order, shuffled
    within each piece, is again a random order). Memory holds one batch, not the round:
    a large imported round is published in the same few MB as a small one."""
    _lock_round(session, round_id)
    keys: list[int | None] = list(session.scalars(_ROUND_KEYS, {"round_id": round_id}))
    if new is not None:
        keys.append(None)  # where the new response falls in the order
    _shuffle(keys)
    for start in range(0, len(keys), WRITE_BATCH):
        batch = keys[start : start + WRITE_BATCH]
        group = _take(session, round_id, [key for key in batch if key is not None])
        if None in batch:
            group.append(new)  # type: ignore[arg-type]
        _shuffle(group)
        insert(session, round_id, group)


def write_new(
    session: Session,
    round_id: int,
    group: Sequence[Submitted],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write many new responses at once (an import of earlier survey data), in one random
    order under random keys, as `mix_round` writes a round: the file's row order is lost.
    Written WRITE_BATCH at a time (the shuffled order cut in pieces), so memory stays small."""
    _lock_round(session, round_id)
    shuffled = list(group)
    _shuffle(shuffled)
    for start in range(0, len(shuffled), WRITE_BATCH):
        batch = shuffled[start : start + WRITE_BATCH]
        insert(session, round_id, batch)
        if progress:
            progress(len(batch))


def _take(session: Session, round_id: int, ids: list[int]) -> list[Submitted]:
    """Read and delete these responses of the round (with their answers and comments)."""
    if not ids:
        return []
    of_these = (models.Answer.round_id == round_id, models.Answer.response_id.in_(ids))
    answers: dict[int, list[tuple[int, int | None]]] = {i: [] for i in ids}
    for rid, item, value in session.execute(
        select(models.Answer.response_id, models.Answer.item_id, models.Answer.value).where(
            *of_these
        )
    ):
        answers[rid].append((item, value))
    comments: dict[int, list[tuple[int, str]]] = {i: [] for i in ids}
    for rid, dimension, text in session.execute(
        select(models.Comment.response_id, models.Comment.dimension_id, models.Comment.text).where(
            models.Comment.response_id.in_(ids)
        )
    ):
        comments[rid].append((dimension, text))
    rows = session.execute(
        select(
            models.Response.id,
            models.Response.language,
            models.Response.role,
            models.Response.agency,
            models.Response.years,
        ).where(models.Response.id.in_(ids))
    ).all()
    session.execute(delete(models.Answer).where(*of_these))
    session.execute(delete(models.Comment).where(models.Comment.response_id.in_(ids)))
    session.execute(delete(models.Response).where(models.Response.id.in_(ids)))
    return [
        Submitted(row.language, row.role, row.agency, row.years, answers[row.id], comments[row.id])
        for row in rows
    ]


def insert(session: Session, round_id: int, group: Iterable[Submitted]) -> None:
    """The one place submitted rows are written: each response under a new random key,
    its answers under (round, key, statement), in the order given."""
    keyed = [(models.random_key(), s) for s in group]
    if not keyed:
        return
    session.execute(  # Core inserts: one executemany each, in this order
        models.Response.__table__.insert(),
        [
            {"id": key, "round_id": round_id, "language": s.language, "role": s.role,
             "agency": s.agency, "years": s.years}
            for key, s in keyed
        ],
    )  # fmt: skip
    answers = [
        {"round_id": round_id, "response_id": key, "item_id": item, "value": value}
        for key, s in keyed
        for item, value in s.answers
    ]
    if answers:
        session.execute(models.Answer.__table__.insert(), answers)
    comments = [
        {"response_id": key, "dimension_id": dimension, "text": text}
        for key, s in keyed
        for dimension, text in s.comments
    ]
    if comments:
        session.execute(models.Comment.__table__.insert(), comments)


def forget_old_rows(engine: Engine) -> None:
    """PostgreSQL: rewrite the response tables' files, so the versions a mix left behind
    (dead rows, in the order they were written) are gone from the data directory. Waits
    at most VACUUM_LOCK_TIMEOUT for the exclusive lock, else a plain VACUUM (dead rows
    marked free, their bytes overwritten as the space is reused). SQLite overwrites deleted
    rows already (`secure_delete`)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql(f"SET lock_timeout = '{VACUUM_LOCK_TIMEOUT}'")
        try:
            conn.exec_driver_sql("VACUUM FULL response, answer, comment")
        except OperationalError:
            conn.exec_driver_sql("RESET lock_timeout")
            conn.exec_driver_sql("VACUUM response, answer, comment")
