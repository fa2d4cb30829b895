"""Engine, sessions and the unit of work, shared by the web app, the CLI and the benchmarks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from survey.db import median
from survey.errors import StorageUnavailable

#: Execution option a unit of work sets: on SQLite its transaction takes the write lock
#: up front, so two writers queue instead of failing or deciding on stale reads.
WRITE = "survey_write"
#: How long a SQLite writer waits for the lock in one attempt, and how many attempts a
#: unit of work makes before the user is told to try again (503, never a 500): together
#: well inside the application server's 30 s worker timeout.
BUSY_TIMEOUT_MS = 5000
LOCK_ATTEMPTS = 3


def make_engine(url: str) -> Engine:
    """An engine; SQLite is set up for concurrent web use (WAL, foreign keys, write locks
    taken at BEGIN, deleted rows overwritten). A SQLite file in a folder that cannot be
    written is opened read-only, so pages that only read still work."""
    if url.startswith("sqlite:///") and read_only_location(url):
        return _read_only_sqlite(url)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        _sqlite(engine)
    return engine


def read_only_location(url: str) -> bool:
    """A SQLite database whose folder (or existing file) this process cannot write: WAL
    needs its `-wal` and `-shm` files beside the database."""
    database = make_url(url).database
    if not database or database == ":memory:":
        return False
    path = Path(database)
    if path.exists() and not os.access(path, os.W_OK):
        return True
    return path.exists() and not os.access(path.parent, os.W_OK | os.X_OK)


def _read_only_sqlite(url: str) -> Engine:
    """Open the file read-only. Without its `-wal` (a clean shutdown removes it) it is
    opened as immutable, since WAL mode cannot be read at all without a `-shm` beside it;
    with a `-wal` left holding writes, read-only through it (SQLite 3.22+), not to lose
    them. Every write then fails with "readonly database", which pages turn into a 503."""
    path = Path(make_url(url).database or "").resolve()
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() and wal.stat().st_size else "mode=ro&immutable=1"
    engine = create_engine(f"sqlite:///file:{path}?{mode}&uri=true")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        median.register(dbapi_connection)

    return engine


def _sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # First, so that even switching to WAL waits for a writer instead of failing.
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # Said explicitly, and kept on purpose: every commit waits for the write-ahead log
        # to reach the disk, so a submitted answer survives a power cut (NORMAL would be
        # faster and lose the last commits). The respondent's pages pay it once per save.
        cursor.execute("PRAGMA synchronous=FULL")
        # A deleted draft is overwritten, not left readable in free pages of the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()
        median.register(dbapi_connection)

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
    the command line or a test called it; views and commands never commit. The unit of
    work starts a transaction of its own (on SQLite holding the write lock from its first
    statement, waiting for it LOCK_ATTEMPTS times BUSY_TIMEOUT_MS) from a clean session:
    a transaction the caller left open for reading is ended, but one that wrote (or holds
    changes not yet flushed) is rolled back and refused with UnsavedChanges, never
    committed on the quiet. A database that cannot take the write (busy past that, full,
    read-only) raises StorageUnavailable, with everything rolled back.
    """
    _begin_clean(session)
    _take_write_lock(session)
    try:
        yield session
        session.commit()
    except OperationalError as exc:
        session.rollback()
        reason = storage_fault(exc)
        if reason is None:
            raise
        raise StorageUnavailable(reason) from exc
    except BaseException:
        session.rollback()
        raise


class UnsavedChanges(RuntimeError):
    """A unit of work was started on a session that had written outside one: a bug in the
    caller, whose writes are rolled back rather than committed by the next service."""


#: Session.info key: the session's open transaction has flushed a write.
_WROTE = "survey_wrote"


@event.listens_for(Session, "after_flush")
def _note_write(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_write(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction ended: commit or rollback
        session.info.pop(_WROTE, None)


def _begin_clean(session: Session) -> None:
    if not session.in_transaction():
        return
    changed = [o for o in session.dirty if session.is_modified(o)]
    if session.new or session.deleted or changed or session.info.get(_WROTE):
        session.rollback()
        raise UnsavedChanges(
            "a unit of work was started on a session with changes made outside one; "
            "they were rolled back (make them inside the service's transaction)"
        )
    session.commit()  # it only read: ending it writes nothing and keeps what was loaded


def _take_write_lock(session: Session) -> None:
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        try:
            session.connection(execution_options={WRITE: True})
            return
        except OperationalError as exc:
            session.rollback()
            reason = storage_fault(exc)
            if reason is None:
                raise
            if reason != "busy" or attempt == LOCK_ATTEMPTS:
                raise StorageUnavailable(reason) from exc


def storage_fault(exc: BaseException) -> str | None:
    """ "busy", "full" or "read_only" for a database error that says the storage cannot take
    a write now (SQLite's messages, PostgreSQL's SQLSTATEs); None for anything else."""
    orig = getattr(exc, "orig", exc)
    sqlstate = getattr(orig, "sqlstate", None) or ""
    text = str(orig).lower()
    if "database is locked" in text or "database table is locked" in text:
        return "busy"
    if "database or disk is full" in text or sqlstate.startswith("53"):
        return "full"  # SQLITE_FULL; PostgreSQL class 53: disk full, out of memory…
    if "disk i/o error" in text:
        # SQLITE_IOERR: a write the file system refused, as past a file-size limit or a
        # quota (EFBIG, EDQUOT); the unit of work is rolled back whole, like a full disk.
        return "full"
    if "readonly database" in text or sqlstate == "25006":
        return "read_only"  # SQLITE_READONLY; PostgreSQL read_only_sql_transaction
    if "unable to open database file" in text:
        return "read_only"  # the -wal/-shm of a folder made read-only while running
    return None


def forget_deleted(session: Session, *, wait: bool = True) -> None:
    """Move the write-ahead log into the database file and empty it, so pages from before
    a delete do not linger in the `-wal` file (SQLite only; best effort: a reader still
    busy just leaves it for the next time). `wait=False` does not wait for readers at all
    (a respondent's submit under load): waiting would hold the write lock, and every
    other writer with it, for as long as anyone reads."""
    forget_deleted_in(session.get_bind(), wait=wait)


def forget_deleted_in(engine: Engine, *, wait: bool = True) -> None:
    """`forget_deleted` for an engine (the migrations have no session)."""
    if engine.dialect.name != "sqlite" or "mode=ro" in str(engine.url):
        return
    raw = engine.raw_connection()  # outside any transaction, as a checkpoint needs
    try:
        cursor = raw.cursor()
        if not wait:
            cursor.execute("PRAGMA busy_timeout=0")
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        raw.close()
