"""Backups that are consistent while the app runs, and restores that do not silently throw
away newer data.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot,
write-ahead log included (a plain `cp` of `survey.db` misses what is still in the `-wal`).
PostgreSQL: `pg_dump --format=custom` of a snapshot exported by a transaction that also
counts what the snapshot holds, so the counts beside the dump describe exactly that dump.

What a database holds is summarised as counts that only grow while it is used (submitted
responses, used links, links, rounds, users, audit events, the latest draft save). A
restore refuses when the database it would overwrite is ahead of the backup on any of them.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DatabaseError

from survey.db import models
from survey.db.engine import forget_deleted_in
from survey.errors import BackupRefused


@dataclass(frozen=True)
class Summary:
    responses: int
    used_links: int
    links: int
    rounds: int
    users: int
    audit_events: int
    last_draft_save: str

    def ahead_of(self, backup: Summary) -> list[str]:
        """What this database holds that the backup does not (empty: nothing newer)."""
        mine, theirs = asdict(self), asdict(backup)
        return [name for name in mine if mine[name] > theirs[name]]


def summarise(conn: Connection) -> Summary:
    def count(model, *where) -> int:
        return conn.scalar(select(func.count()).select_from(model).where(*where)) or 0

    last = conn.scalar(select(func.max(models.Draft.saved_at)))
    return Summary(
        responses=count(models.Response),
        used_links=count(models.Invitation, models.Invitation.used.is_(True)),
        links=count(models.Invitation),
        rounds=count(models.Round),
        users=count(models.User),
        audit_events=conn.scalar(select(func.max(models.AuditEvent.id))) or 0,
        last_draft_save=last.isoformat() if last else "",
    )


def _summary_path(backup_file: Path) -> Path:
    return backup_file.with_name(backup_file.name + ".summary.json")


def backup(engine: Engine, out: Path) -> Summary:
    """Write a consistent copy of the database to `out` (never over an existing file).

    The file holds password hashes, TOTP secrets, drafts and addresses: it is created
    readable and writable by its owner only (mode 0600, never loosened and tightened
    after), and nothing is left beside it (no `-wal` or `-shm`)."""
    if out.exists():
        raise BackupRefused(f"{out} exists already; a backup never overwrites a file")
    live_summary(engine)  # refuses a database without tables before writing anything
    _create_private(out)
    try:
        if engine.dialect.name == "sqlite":
            return _backup_sqlite(engine, out)
        return _backup_postgresql(engine, out)
    except BaseException:
        out.unlink(missing_ok=True)  # no half-written backup left to be taken for one
        raise


def _create_private(path: Path) -> None:
    """An empty file only its owner can read, made atomically (refused if it exists)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError as exc:
        raise BackupRefused(f"{path} exists already; a backup never overwrites a file") from exc
    except OSError as exc:
        raise BackupRefused(f"cannot write {path}: {exc.strerror}") from exc


def _backup_sqlite(engine: Engine, out: Path) -> Summary:
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(out)  # the empty private file: SQLite keeps its mode
        try:
            raw.driver_connection.backup(target)  # type: ignore[union-attr]
            # The copy says "WAL" in its header like the live database; a rollback journal
            # instead, so opening the backup later leaves no -wal and -shm beside it.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    finally:
        raw.close()
    return _sqlite_summary(out)


def _sqlite_summary(path: Path) -> Summary:
    # Read-only and without the live database's pragmas (no switch to WAL, no side files).
    copy = create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")
    try:
        with copy.connect() as conn:
            if not inspect(conn).has_table("response"):
                raise BackupRefused(f"{path} is not a backup of Samverkansmätaren's database")
            return summarise(conn)
    except DatabaseError as exc:  # not an SQLite file at all
        raise BackupRefused(f"{path} is not a backup of Samverkansmätaren's database") from exc
    finally:
        copy.dispose()


def _libpq_url(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupRefused(f"{name} is not installed (apt-get install postgresql-client)")
    return found


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        tool = Path(command[0]).name
        raise BackupRefused(f"{tool} failed: {done.stderr.strip()[-500:]}")


def _backup_postgresql(engine: Engine, out: Path) -> Summary:
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            found = summarise(conn)
            _run([_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}",
                  f"--file={out}", _libpq_url(engine)])  # fmt: skip
    summary = _summary_path(out)
    summary.unlink(missing_ok=True)
    _create_private(summary)
    summary.write_text(json.dumps(asdict(found)), encoding="utf-8")
    return found


def backup_summary(engine: Engine, source: Path) -> Summary:
    """What a backup file holds (for PostgreSQL: the counts written beside it)."""
    if not source.is_file():
        raise BackupRefused(f"no backup file {source}")
    if engine.dialect.name == "sqlite":
        return _sqlite_summary(source)
    saved = _summary_path(source)
    if not saved.is_file():
        raise BackupRefused(f"{saved} is missing: it says what the dump holds (or use --force)")
    return Summary(**json.loads(saved.read_text(encoding="utf-8")))


def live_summary(engine: Engine) -> Summary:
    with engine.connect() as conn:
        if not inspect(conn).has_table("response"):
            raise BackupRefused("the database has no tables yet: run `survey init` first")
        return summarise(conn)


def restore(engine: Engine, source: Path, *, force: bool = False) -> Summary:
    """Replace the database's content with the backup's. Refused when the database holds
    anything newer than the backup, unless `force`."""
    if not source.is_file():
        raise BackupRefused(f"no backup file {source}")
    if engine.dialect.name == "sqlite":
        backup_summary(engine, source)  # refuses a file that is not a backup, even forced
    if not force:
        ahead = live_summary(engine).ahead_of(backup_summary(engine, source))
        if ahead:
            raise BackupRefused(
                "the database holds newer data than the backup (more "
                + ", ".join(name.replace("_", " ") for name in ahead)
                + "); restoring would lose it. Use --force to restore anyway"
            )
    if engine.dialect.name == "sqlite":
        _restore_sqlite(engine, source)
    else:
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_libpq_url(engine)}", str(source)])  # fmt: skip
    return live_summary(engine)


def _restore_sqlite(engine: Engine, source: Path) -> None:
    """Through the backup API as well: the running app sees the restored content at its
    next read, and the database file is never half written."""
    path = make_url(str(engine.url)).database
    source_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(path, timeout=30)
    try:
        source_conn.backup(target)
    finally:
        target.close()
        source_conn.close()
    forget_deleted_in(engine)


def open_rounds(engine: Engine) -> list[tuple[str, str]]:
    """(förbund, label) of every open round, which a restore makes answerable again."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(models.Association.slug, models.Round.label)
            .join(models.Round, models.Round.association_id == models.Association.id)
            .where(models.Round.state == models.RoundState.OPEN)
            .order_by(models.Association.slug, models.Round.label)
        )
        return [(slug, label) for slug, label in rows]
