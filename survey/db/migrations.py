"""Alembic owns the schema: where the migrations are, which revision a database is at,
and upgrading it (also a database made by `create_all` before there were migrations).

Flask-free, so the command line, the web shell's check and the tests share it. The
revision scripts live in `migrations/` beside the `survey` package (the project root of a
checkout or an editable install), found from the package rather than the working
directory: the migrations that fit are the ones shipped with this code.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Connection, Engine

from survey.db import models
from survey.db.engine import forget_deleted_in
from survey.errors import SchemaError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"
#: What `create_all` made before there were migrations: revision 0001 is exactly that.
LEGACY_REVISION = "0001"


class SchemaState(StrEnum):
    EMPTY = "empty"
    #: Tables made by `create_all` before migrations, with no `alembic_version`.
    LEGACY = "legacy"
    BEHIND = "behind"
    CURRENT = "current"
    #: A revision these migrations do not know: a newer release upgraded the database.
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Upgrade:
    """What `upgrade` found and left: the state before, and the revisions either side."""

    before: SchemaState
    from_revision: str | None
    to_revision: str


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration without an alembic.ini: the app's settings give the URL,
    and migrations run on the connection handed over here (env.py picks it up)."""
    if not (MIGRATIONS_DIR / "env.py").is_file():
        raise SchemaError(
            f"no migrations at {MIGRATIONS_DIR}: run survey from a checkout of the project "
            "(pip install -e .), which keeps migrations/ beside the survey package"
        )
    cfg = Config()
    # Config values are interpolated: a % in the path must not read as a reference.
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def _scripts(location: Path) -> ScriptDirectory:
    # Keyed by location so that a test pointing MIGRATIONS_DIR elsewhere gets its own.
    return ScriptDirectory.from_config(config())


def scripts() -> ScriptDirectory:
    return _scripts(MIGRATIONS_DIR)


def head() -> str:
    """The newest revision of this code's migrations."""
    found = scripts().get_current_head()
    if found is None:
        raise SchemaError(f"{MIGRATIONS_DIR} has no revisions")
    return found


def current(engine: Engine) -> str | None:
    """The revision the database is stamped with; None before migrations touched it."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def state(engine: Engine) -> SchemaState:
    """Where the database stands against this code: two cheap queries, no changes."""
    with engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
        if revision is None:
            tables = set(inspect(connection).get_table_names())
            ours = tables & set(models.Base.metadata.tables)
            return SchemaState.LEGACY if ours else SchemaState.EMPTY
    if revision == head():
        return SchemaState.CURRENT
    known = {script.revision for script in scripts().walk_revisions()}
    return SchemaState.BEHIND if revision in known else SchemaState.UNKNOWN


def upgrade(engine: Engine) -> Upgrade:
    """Bring the database to the newest revision: create it when empty, stamp a
    `create_all` database as revision 0001 once its tables are checked, then upgrade."""
    before = state(engine)
    if before is SchemaState.UNKNOWN:
        raise SchemaError(
            f"the database is at revision {current(engine)}, which this version of "
            f"Samverkansmätaren does not know (its newest is {head()}): install the newer "
            "version that upgraded it"
        )
    from_revision = current(engine)
    if before is SchemaState.LEGACY:
        _check_legacy_tables(engine)
        _run(engine, lambda cfg: command.stamp(cfg, LEGACY_REVISION))
        from_revision = LEGACY_REVISION
    if before is not SchemaState.CURRENT:
        _run(engine, lambda cfg: command.upgrade(cfg, "head"))
        # Revisions drop and rewrite rows (0002 the old, ordered response keys): on SQLite
        # the pages from before must not stay readable in the -wal file or the database's.
        forget_deleted_in(engine)
    return Upgrade(before, from_revision, head())


def stamp_head(engine: Engine) -> None:
    """Mark tables made by `create_all` of today's models as the newest revision
    (Alembic's recipe for a fresh database; the tests and benchmarks use it)."""
    _run(engine, lambda cfg: command.stamp(cfg, "head"))


def _run(engine: Engine, step: Callable[[Config], None]) -> None:
    with migration_connection(engine) as connection, connection.begin():
        step(config(connection))
        _check_foreign_keys(connection)


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection to migrate on. On SQLite, foreign keys are off meanwhile: batch mode
    copies a table and drops the old one, and with them on that drop would cascade
    (deleting every answer of a recreated `response`); Alembic's docs require it."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Outside a transaction: inside one SQLite ignores this pragma.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            yield connection
        finally:
            if sqlite:
                # The pool hands this connection out again; the app expects them on.
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _check_foreign_keys(connection: Connection) -> None:
    """With SQLite's checks off during a migration, make sure it left no dangling row."""
    if connection.dialect.name != "sqlite":
        return
    dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if dangling:
        raise SchemaError(f"the migration left rows whose references dangle: {dangling[:5]}")


def _check_legacy_tables(engine: Engine) -> None:
    """Refuse to stamp tables that are not revision 0001's: compare every table and column
    0001 creates (built in a throw-away in-memory database) with the database's."""
    with engine.connect() as connection:
        found = _columns(connection)
    reference = create_engine("sqlite://")
    try:
        with reference.connect() as connection:
            command.upgrade(config(connection), LEGACY_REVISION)
            expected = _columns(connection)
    finally:
        reference.dispose()
    missing = [table for table in sorted(expected) if table not in found] + [
        f"{table}.{column}"
        for table, columns in sorted(expected.items())
        if table in found
        for column in sorted(columns - found[table])
    ]
    if missing:
        raise SchemaError(
            f"the database has tables but not those of revision {LEGACY_REVISION} "
            f"(missing: {', '.join(missing)}); nothing was changed"
        )


def _columns(connection: Connection) -> dict[str, set[str]]:
    inspector = inspect(connection)
    return {
        table: {column["name"] for column in inspector.get_columns(table)}
        for table in inspector.get_table_names()
        if table != "alembic_version"
    }
