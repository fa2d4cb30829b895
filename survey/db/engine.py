"""Engine, sessions and the unit of work, shared by the web app, the CLI and the benchmarks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

#: Execution option a unit of work sets: on SQLite its transaction takes the write lock
#: up front, so two writers queue instead of failing or deciding on stale reads.
WRITE = "survey_write"
#: How long a SQLite writer waits for the lock before the user sees an error.
BUSY_TIMEOUT_MS = 15000


def make_engine(url: str) -> Engine:
    """An engine; SQLite is set up for concurrent web use (WAL, foreign keys, write locks
    taken at BEGIN, deleted rows overwritten)."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        _sqlite(engine)
    return engine


def _sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # A deleted draft is overwritten, not left readable in free pages of the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # Reads keep pysqlite's own handling (no snapshot held between statements); a unit
        # of work begins explicitly, so pysqlite adds no BEGIN of its own before writes.
        if connection.get_execution_options().get(WRITE):
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """One unit of work: commit when the block ends, roll back when it raises.

    Services wrap their writes in this, so a use case is all or nothing whether the web,
    the command line or a test called it; views and commands never commit. What the
    caller read before is committed first, so the unit of work starts a transaction of
    its own (on SQLite holding the write lock from its first statement).
    """
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={WRITE: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def forget_deleted(session: Session) -> None:
    """Move the write-ahead log into the database file and empty it, so pages from before
    a delete do not linger in the `-wal` file (SQLite only; best effort: a reader still
    busy just leaves it for the next time)."""
    forget_deleted_in(session.get_bind())


def forget_deleted_in(engine: Engine) -> None:
    """`forget_deleted` for an engine (the migrations have no session)."""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()  # outside any transaction, as a checkpoint needs
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
