"""Alembic owns the schema: the revisions build exactly the models' tables, a database made
by `create_all` before migrations is adopted without losing a row, and the app refuses
(503, with the command to run) a database that is behind the code until it is upgraded."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from builders import answer_all, invite, make_round
from conftest import ROOT, make_app
from sqlalchemy import CheckConstraint, create_engine, func, inspect, select, text

from survey.db import migrations, models
from survey.db.engine import make_engine
from survey.db.migrations import SchemaState

DATA = Path(__file__).resolve().parent / "data"
#: Rows of the legacy dumps (tests/data/legacy-create-all*.sql), as their header says.
LEGACY_ROWS = {
    "association": 2,
    "round": 2,
    "invitation": 6,
    "response": 4,
    "answer": 130,
    "comment": 1,
}
#: Loaded from questionnaires/: `survey init` may add a newer questionnaire, never remove.
LEGACY_INSTRUMENT_ROWS = {"agency_type": 6, "questionnaire": 1, "dimension": 10, "item": 40}
#: A test-only revision after 0001: the code has moved on, the database has not. On SQLite
#: it recreates `response` (batch mode's copy-and-drop, the path that would cascade-delete
#: every answer if foreign keys were on), elsewhere it adds the column in place.
PROBE_REVISION = '''"""Test only: a column on response."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("response", recreate="always" if sqlite else "auto") as batch:
        batch.add_column(sa.Column("probe", sa.String(10)))


def downgrade():
    with op.batch_alter_table("response") as batch:
        batch.drop_column("probe")
'''


@pytest.fixture
def bare_app(database_url, tmp_path):
    """The app on a database nobody has set up (the `app` fixture makes its schema)."""
    app = make_app(database_url, tmp_path)
    yield app
    app.extensions["survey_engine"].dispose()


def engine_of(app):
    return app.extensions["survey_engine"]


def revision_row(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def count_rows(engine, tables) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}


def normalised(sql: object) -> str:
    return " ".join(str(sql).split())


def check_constraints(engine, schema: str | None = None) -> dict[tuple[str, str], str]:
    """(table, name) → the CHECK's text as the database reports it."""
    inspector = inspect(engine)
    return {
        (table, check["name"]): normalised(check["sqltext"])
        for table in models.Base.metadata.tables
        for check in inspector.get_check_constraints(table, schema=schema)
    }


#: The tables the models make WITHOUT ROWID on SQLite (`sqlite_with_rowid=False`).
WITHOUT_ROWID_IN_MODELS = {
    table.name
    for table in models.Base.metadata.sorted_tables
    if table.dialect_options["sqlite"]["with_rowid"] is False
}


def without_rowid(engine) -> set[str]:
    """The SQLite tables whose CREATE statement says WITHOUT ROWID."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
        return {name for name, sql in rows if "WITHOUT ROWID" in normalised(sql).upper()}


def created_by_create_all(engine, tmp_path) -> dict[tuple[str, str], str]:
    """The CHECKs of the models' own `create_all`, reported by the same kind of server (which
    words them its own way: PostgreSQL rewrites IN into = ANY (ARRAY[…]))."""
    if engine.dialect.name == "sqlite":
        reference = create_engine(f"sqlite:///{tmp_path / 'reference.db'}")
        models.Base.metadata.create_all(reference)
        try:
            return check_constraints(reference)
        finally:
            reference.dispose()
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS reference CASCADE"))
        conn.execute(text("CREATE SCHEMA reference"))
    try:
        translated = engine.execution_options(schema_translate_map={None: "reference"})
        models.Base.metadata.create_all(translated)
        return check_constraints(engine, schema="reference")
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA reference CASCADE"))


def test_the_revisions_build_exactly_the_models_schema(database_url, tmp_path):
    """Every model change needs a revision: this fails until `alembic revision
    --autogenerate` has written one (README, Migrations). Autogenerate does not compare
    CHECK constraints, so they are compared here by name and text."""
    engine = make_engine(database_url)
    try:
        assert migrations.state(engine) is SchemaState.EMPTY
        done = migrations.upgrade(engine)
        assert (done.before, done.from_revision, done.to_revision) == (
            SchemaState.EMPTY,
            None,
            migrations.head(),
        )
        assert migrations.state(engine) is SchemaState.CURRENT
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), models.Base.metadata) == []

        migrated = check_constraints(engine)
        in_models = {
            (table.name, check.name): normalised(check.sqltext)
            for table in models.Base.metadata.sorted_tables
            for check in table.constraints
            if isinstance(check, CheckConstraint)
        }
        assert (
            set(migrated)
            == set(in_models)
            == {
                ("round", "round_state"),
                ("invitation", "invitation_kind"),
                ("answer", "answer_value"),
                ("draft_answer", "draft_answer_value"),
            }
        )
        assert migrated == created_by_create_all(engine, tmp_path)
        if engine.dialect.name == "sqlite":  # SQLite keeps the text as it was written
            assert migrated == in_models
            # Autogenerate does not compare this either: no hidden rowid numbers submissions.
            assert (
                without_rowid(engine)
                == WITHOUT_ROWID_IN_MODELS
                == {
                    "response",
                    "answer",
                    "comment",
                }
            )
    finally:
        engine.dispose()


def load_legacy_dump(database_url: str) -> None:
    """Restore the database the pre-migration code made (tests/data, see its header)."""
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        conn.executescript((DATA / "legacy-create-all.sql").read_text(encoding="utf-8"))
        conn.close()
        return
    # Several statements in one go: psycopg sends a query without parameters as it is.
    engine = create_engine(database_url)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute((DATA / "legacy-create-all.postgresql.sql").read_text("utf-8"))
        raw.commit()
    finally:
        raw.close()
        engine.dispose()  # the dump emptied this connection's search_path


def test_a_create_all_database_is_adopted_by_init_without_losing_a_row(bare_app):
    engine = engine_of(bare_app)
    load_legacy_dump(str(engine.url.render_as_string(hide_password=False)))
    assert migrations.state(engine) is SchemaState.LEGACY
    assert count_rows(engine, LEGACY_ROWS) == LEGACY_ROWS
    client = bare_app.test_client()
    refused = client.get("/f/norrsund?lang=en")
    assert refused.status_code == 503 and "survey db upgrade" in refused.text

    result = bare_app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    adopted = "made before migrations, its tables checked and stamped revision 0001"
    assert adopted in result.output
    assert revision_row(engine) == [migrations.head()]
    assert count_rows(engine, LEGACY_ROWS) == LEGACY_ROWS
    instruments = count_rows(engine, LEGACY_INSTRUMENT_ROWS)
    assert all(instruments[t] >= n for t, n in LEGACY_INSTRUMENT_ROWS.items()), instruments
    with bare_app.extensions["survey_sessions"]() as db:
        assert db.scalar(select(models.Comment.text)) == "Vi träffas varje vecka – bra!"
        vet_ej = select(func.count()).where(models.Answer.value.is_(None))
        assert db.scalar(vet_ej) == 6
        draft = db.scalar(select(models.Response).filter_by(state="in_progress"))
        assert draft.saved_at == dt.datetime(2026, 3, 3, 9, 15)
        assert db.scalar(select(models.Invitation.response_id).filter_by(response_id=draft.id))

    # The adopted database is served and takes new answers (sequences carried over too).
    assert client.get("/f/norrsund").status_code == 200
    with bare_app.extensions["survey_sessions"]() as db:
        rnd = make_round(db, slug="nyvik")
        answer_all(client, invite(db, rnd)[0])
    assert count_rows(engine, ["response"]) == {"response": 5}


@pytest.fixture
def newer_code(monkeypatch, tmp_path):
    """The migrations as they will be once a revision after 0001 is written."""
    newer = tmp_path / "migrations"
    shutil.copytree(migrations.MIGRATIONS_DIR, newer, ignore=shutil.ignore_patterns("__pycache__"))
    (newer / "versions" / "0002_probe.py").write_text(PROBE_REVISION, encoding="utf-8")

    def move_on():
        monkeypatch.setattr(migrations, "MIGRATIONS_DIR", newer)

    return move_on


def test_a_database_behind_the_code_is_refused_until_upgraded(
    bare_app, newer_code, database_url, tmp_path
):
    """Real migrations all the way: the database is made by today's revisions (0001) and
    answered; then the code moves on to migrations with a revision 0002 (a test-only copy
    of migrations/ with one more revision, as a release with a schema change brings) and
    the server restarts on it, so the database is behind. Every page answers 503 naming
    `survey db upgrade` instead of failing on the first query; after that command, without
    another restart, the pages work and no answer was lost."""
    with bare_app.extensions["survey_sessions"]() as db:
        assert bare_app.test_cli_runner().invoke(args=["init"]).exit_code == 0
        rnd = make_round(db)
        answer_all(bare_app.test_client(), invite(db, rnd)[0])
        token = invite(db, rnd)[0]
    answers = count_rows(engine_of(bare_app), ["answer"])
    assert answers["answer"] > 0

    newer_code()
    restarted = make_app(database_url, tmp_path)
    engine, client = engine_of(restarted), restarted.test_client()
    assert migrations.state(engine) is SchemaState.BEHIND
    for page in (f"/r/{token}", "/f/norrsund"):
        swedish = client.get(page)
        assert swedish.status_code == 503, swedish.text
        assert "Databasen behöver uppgraderas" in swedish.text
        assert "survey db upgrade" in swedish.text
        english = client.get(page, headers={"Accept-Language": "en"})
        assert english.status_code == 503 and "The database needs an upgrade" in english.text

    result = restarted.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "upgraded from revision 0001 to 0002" in result.output
    assert client.get(f"/r/{token}").status_code == 200
    assert client.get("/f/norrsund").status_code == 200
    assert count_rows(engine, ["answer"]) == answers
    assert "probe" in {c["name"] for c in inspect(engine).get_columns("response")}
    engine.dispose()


def test_an_empty_database_is_refused_until_init(bare_app):
    client = bare_app.test_client()
    refused = client.get("/")
    assert refused.status_code == 503
    assert "Databasen är inte uppsatt ännu" in refused.text and "survey init" in refused.text
    assert client.get("/static/style.css").status_code == 200  # the message page's style

    result = bare_app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert f"database created at revision {migrations.head()}" in result.output
    assert client.get("/").status_code == 200


def test_db_current_prints_the_newest_revision_and_init_is_idempotent(app, runner, monkeypatch):
    head = migrations.head()
    result = runner.invoke(args=["db", "current"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{head} (the newest)"
    counts = count_rows(engine_of(app), [*LEGACY_ROWS, *LEGACY_INSTRUMENT_ROWS])
    for _ in range(2):
        result = runner.invoke(args=["init"])
        assert result.exit_code == 0, result.output
        assert f"database already at the newest revision {head}" in result.output
    assert revision_row(engine_of(app)) == [head]
    assert count_rows(engine_of(app), counts) == counts
    assert runner.invoke(args=["db", "upgrade"]).output.strip() == (
        f"database already at the newest revision {head}"
    )

    # Found current once, the app does not ask again in this process.
    client = app.test_client()
    assert client.get("/").status_code == 200
    monkeypatch.setattr(migrations, "state", lambda engine: pytest.fail("asked again"))
    assert client.get("/").status_code == 200


def test_a_revision_newer_than_the_code_is_refused(app, runner):
    with engine_of(app).begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    assert migrations.state(engine_of(app)) is SchemaState.UNKNOWN
    page = app.test_client().get("/", headers={"Accept-Language": "en"})
    assert page.status_code == 503 and "newer version of Samverkansmätaren" in page.text
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 1
    unknown = "revision f00d, which this version of Samverkansmätaren does not know"
    assert unknown in result.output
    assert revision_row(engine_of(app)) == ["f00d"]


def test_tables_that_are_not_revision_0001_are_not_stamped(bare_app):
    engine = engine_of(bare_app)
    models.Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE comment"))
        conn.execute(text("ALTER TABLE response DROP COLUMN years"))
    result = bare_app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 1
    assert "not those of revision 0001 (missing: comment, response.years)" in result.output
    assert migrations.current(engine) is None


def run(tool: str, *args: str, cwd: Path, url: str, instance: Path):
    """A console script of this environment, as a person at a terminal runs it."""
    return subprocess.run(
        [str(Path(sys.executable).parent / tool), *args],
        cwd=cwd,
        env={**os.environ, "DATABASE_URL": url, "SURVEY_INSTANCE_PATH": str(instance)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_installed_command_finds_the_migrations_from_any_folder(tmp_path):
    """`survey` run elsewhere than the project root still finds migrations/ (beside the
    package), and a developer's `alembic` from the root takes the URL from the settings."""
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    elsewhere = tmp_path / "somewhere"
    elsewhere.mkdir()
    done = run("survey", "db", "upgrade", cwd=elsewhere, url=url, instance=tmp_path / "i")
    assert done.returncode == 0, done.stderr
    assert f"database created at revision {migrations.head()}" in done.stdout

    check = run("alembic", "check", cwd=ROOT, url=url, instance=tmp_path / "i")
    assert check.returncode == 0, check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr
