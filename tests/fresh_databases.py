"""A fresh database (today's schema and the questionnaires) in milliseconds, not a second.

Building one from nothing takes ~0.5 s on SQLite and ~1 s on PostgreSQL (`create_all`,
Alembic's stamp, loading questionnaires/), and most tests want exactly that. So each test
process builds it once and then hands out copies:

- SQLite: the built file is kept in a temporary folder and copied to the test's path (its
  `-wal` checkpointed away first, so the copy is the whole database).
- PostgreSQL: each process has one database (conftest.postgres_url). After the first build
  its rows and sequence positions are remembered; a later test gets the same state back by
  deleting every row of every table and inserting those rows again, with each sequence set
  where it was. This is done only when the database still has exactly the schema the first build
  made (its columns, constraints, indexes and sequences, read from the catalogue): after a
  migration test left an older schema, the database is emptied and built again.

Why not one transaction rolled back per test (SAVEPOINT): the app commits through its own
engine and pool, tests read what was stored through other connections and processes (the
CLI, gunicorn, threads serving a browser), and SQLite's WAL checkpoint needs a connection of
its own; a restored copy is what they all see as a fresh database.
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from survey import demo
from survey.db import models
from survey.db.engine import make_engine, session_factory
from survey.db.schema import create_schema
from survey.instruments.catalog import load_directory

QUESTIONNAIRES = Path(__file__).resolve().parent.parent / "questionnaires"

#: What the PostgreSQL catalogue says about the schema of `public`: a restore needs the same.
_CATALOGUE = """
SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' '
       || is_nullable || ' ' || coalesce(column_default, '')
  FROM information_schema.columns WHERE table_schema = 'public'
UNION ALL
SELECT 'constraint ' || conrelid::regclass::text || '.' || conname || ' '
       || pg_get_constraintdef(c.oid)
  FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
 WHERE n.nspname = 'public'
UNION ALL
SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL
SELECT 'sequence ' || sequencename FROM pg_sequences WHERE schemaname = 'public'
"""


def build(engine: Engine) -> None:
    """Today's schema and the questionnaires on an empty database (the slow way)."""
    create_schema(engine)
    with session_factory(engine)() as session:
        load_directory(session, QUESTIONNAIRES)
        session.commit()


def build_demo(engine: Engine) -> None:
    """`build`, then the demo dataset (`survey demo`) on it, dated today (~15 s)."""
    build(engine)
    with session_factory(engine)() as session:
        first, newest = demo.demo_questionnaires(session)
        demo.build_demo(session, first, dt.date.today(), later=newest)
        session.commit()


def empty_database(engine: Engine) -> None:
    """Drop the models' tables and Alembic's version table: an empty database again (the
    PostgreSQL one is shared by the tests of a run). Where a migration test left the tables
    of an older revision, whose foreign keys the models do not know (so dropping in their
    order fails), the tables are dropped as the database describes them."""
    try:
        models.Base.metadata.drop_all(engine)
    except DBAPIError:
        found = MetaData()
        found.reflect(engine)
        found.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def make_fresh(engine: Engine, builder: Callable[[Engine], None] = build) -> None:
    """Give the database behind `engine` what `builder` (`build` or `build_demo`) makes on an
    empty database and nothing else, from the copy this process keeps of it. A SQLite file
    that already exists is built on as it is (the slow way, as before)."""
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        if path and path != ":memory:" and not Path(path).exists():
            shutil.copyfile(_sqlite_template(builder), path)
        else:
            builder(engine)
    elif engine.dialect.name == "postgresql":
        _postgres_fresh(engine, builder)
    else:
        builder(engine)


# --- SQLite: one built file, copied ---------------------------------------------------------

_sqlite_files: dict[Callable[[Engine], None], Path] = {}


def _sqlite_template(builder: Callable[[Engine], None]) -> Path:
    if builder not in _sqlite_files:
        folder = Path(tempfile.mkdtemp(prefix="samverkan-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = folder / "fresh.db"
        engine = make_engine(f"sqlite:///{path}")
        builder(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()  # the last connection closing removes the -wal and -shm files
        _sqlite_files[builder] = path
    return _sqlite_files[builder]


# --- PostgreSQL: rows and sequences remembered, restored ------------------------------------


@dataclass(frozen=True)
class _Snapshot:
    catalogue: frozenset[str]
    #: Each table's columns and rows as COPY writes them (text format), in the models'
    #: dependency order, and Alembic's version table.
    tables: tuple[tuple[str, str, bytes], ...]
    #: sequence → (last_value, is_called), for setval.
    sequences: tuple[tuple[str, int, bool], ...]


_snapshots: dict[Callable[[Engine], None], _Snapshot] = {}


def _catalogue(engine: Engine) -> frozenset[str]:
    with engine.connect() as conn:
        return frozenset(conn.execute(text(_CATALOGUE)).scalars())


def _postgres_fresh(engine: Engine, builder: Callable[[Engine], None]) -> None:
    snapshot = _snapshots.get(builder)
    if snapshot is not None and _catalogue(engine) == snapshot.catalogue:
        try:
            _restore(engine, snapshot)
            return
        except DBAPIError:  # rows a test left that cannot simply be deleted: build anew
            pass
    empty_database(engine)
    builder(engine)
    if snapshot is None:
        _snapshots[builder] = _take(engine)


def _columns(conn: Connection, name: str) -> str:
    found = conn.execute(
        text(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'"
            " AND table_name = :name ORDER BY ordinal_position"
        ),
        {"name": name},
    ).scalars()
    return ", ".join(f'"{c}"' for c in found)


def _take(engine: Engine) -> _Snapshot:
    tables = []
    with engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()
        for name in [t.name for t in models.Base.metadata.sorted_tables] + ["alembic_version"]:
            columns = _columns(conn, name)
            with cursor.copy(f'COPY "{name}" ({columns}) TO STDOUT') as copy:
                tables.append((name, columns, b"".join(bytes(block) for block in copy)))
        names = conn.execute(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        ).scalars()
        sequences = tuple(
            (name, *conn.execute(text(f'SELECT last_value, is_called FROM "{name}"')).one())
            for name in sorted(names)
        )
    return _Snapshot(_catalogue(engine), tuple(tables), sequences)


def _restore(engine: Engine, snapshot: _Snapshot) -> None:
    with engine.begin() as conn:
        if conn.execute(text("SHOW is_superuser")).scalar() == "on":
            # The rows are the consistent ones of the build: their foreign keys need not be
            # checked row by row (the demo's answers: a second instead of four).
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        # DELETE, not TRUNCATE: a TRUNCATE of ~20 tables takes ~0.5 s (new files for each).
        for name, _, _ in reversed(snapshot.tables):
            conn.execute(text(f'DELETE FROM "{name}"'))
        # COPY, not INSERT: the demo's 60,000 answers in a second rather than ten.
        cursor = conn.connection.dbapi_connection.cursor()
        for name, columns, data in snapshot.tables:
            if data:
                with cursor.copy(f'COPY "{name}" ({columns}) FROM STDIN') as copy:
                    copy.write(data)
        for name, last_value, is_called in snapshot.sequences:
            conn.execute(
                text("SELECT setval(CAST(:name AS regclass), :value, :called)"),
                {"name": f'"{name}"', "value": last_value, "called": is_called},
            )
