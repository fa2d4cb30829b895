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
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import MetaData, TableClause, column, select, table, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

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


def make_fresh(engine: Engine) -> None:
    """Give the database behind `engine` today's schema and the questionnaires and nothing
    else, as `build` on an empty database would. A SQLite file that already exists is built
    on as it is (the slow way, as before)."""
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        if path and path != ":memory:" and not Path(path).exists():
            shutil.copyfile(_sqlite_template(), path)
        else:
            build(engine)
    elif engine.dialect.name == "postgresql":
        _postgres_fresh(engine)
    else:
        build(engine)


# --- SQLite: one built file, copied ---------------------------------------------------------

_sqlite_file: Path | None = None


def _sqlite_template() -> Path:
    global _sqlite_file
    if _sqlite_file is None:
        folder = Path(tempfile.mkdtemp(prefix="samverkan-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = folder / "fresh.db"
        engine = make_engine(f"sqlite:///{path}")
        build(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()  # the last connection closing removes the -wal and -shm files
        _sqlite_file = path
    return _sqlite_file


# --- PostgreSQL: rows and sequences remembered, restored ------------------------------------


@dataclass(frozen=True)
class _Snapshot:
    catalogue: frozenset[str]
    #: Each table's rows as dictionaries, in the models' dependency order (and Alembic's
    #: version table), read and written through the models' column types.
    tables: tuple[tuple[TableClause, tuple[dict, ...]], ...]
    #: sequence → (last_value, is_called), for setval.
    sequences: tuple[tuple[str, int, bool], ...]


_snapshot: _Snapshot | None = None


def _catalogue(engine: Engine) -> frozenset[str]:
    with engine.connect() as conn:
        return frozenset(conn.execute(text(_CATALOGUE)).scalars())


def _postgres_fresh(engine: Engine) -> None:
    global _snapshot
    if _snapshot is not None and _catalogue(engine) == _snapshot.catalogue:
        _restore(engine, _snapshot)
        return
    empty_database(engine)
    build(engine)
    if _snapshot is None:
        _snapshot = _take(engine)


def _tables() -> list[TableClause]:
    version = table("alembic_version", column("version_num"))
    return [*models.Base.metadata.sorted_tables, version]


def _take(engine: Engine) -> _Snapshot:
    tables = []
    with engine.connect() as conn:
        for target in _tables():
            rows = conn.execute(select(target)).mappings()
            tables.append((target, tuple(dict(row) for row in rows)))
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
        # DELETE, not TRUNCATE: a TRUNCATE of ~20 tables takes ~0.5 s (new files for each).
        for target, _ in reversed(snapshot.tables):
            conn.execute(target.delete())
        for target, rows in snapshot.tables:
            if rows:
                conn.execute(target.insert(), list(rows))
        for name, last_value, is_called in snapshot.sequences:
            conn.execute(
                text("SELECT setval(CAST(:name AS regclass), :value, :called)"),
                {"name": f'"{name}"', "value": last_value, "called": is_called},
            )
