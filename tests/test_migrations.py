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
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from builders import answer_all, invite, make_round
from conftest import ROOT, make_app, signed_in
from sqlalchemy import CheckConstraint, DateTime, create_engine, inspect, text

from survey.db import migrations, models
from survey.db.engine import make_engine
from survey.db.migrations import SchemaState
from survey.rounds.invitations import hash_token

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
#: The same rows after revision 0002: 3 submitted responses (120 answers, the comment),
#: the response in progress now a draft with its 10 answers.
ADOPTED_ROWS = {
    "association": 2,
    "round": 2,
    "invitation": 6,
    "response": 3,
    "answer": 120,
    "comment": 1,
    "draft": 1,
    "draft_answer": 10,
    "draft_comment": 0,
}
#: Loaded from questionnaires/: `survey init` may add a newer questionnaire, never remove.
LEGACY_INSTRUMENT_ROWS = {"agency_type": 6, "questionnaire": 1, "dimension": 10, "item": 40}
#: A test-only revision after the newest (whatever `migrations.head()` is): the code has
#: moved on, the database has not. On SQLite it recreates `response` (batch mode's
#: copy-and-drop, the path that would cascade-delete every answer if foreign keys were on),
#: elsewhere it adds the column in place.
PROBE_REVISION = '''"""Test only: a column on response."""

import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
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
                ("membership", "membership_role"),
                ("membership", "membership_scope"),
                ("mail_recipient", "mail_recipient_language"),
                ("mail_message", "mail_message_kind"),
                ("mail_message", "mail_message_status"),
                ("mail_text", "mail_text_kind"),
                ("mail_text", "mail_text_language"),
                ("item", "item_kind"),
                ("agreed_level", "agreed_current"),
                ("agreed_level", "agreed_target"),
                ("action", "action_status"),
                ("api_token", "api_token_scope"),
                ("api_token", "api_token_association"),
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


@dataclass(frozen=True)
class AnswersHeld:
    """What a database holds of people's answers, independent of its schema and keys."""

    #: Submitted responses (round, language, role, agency, years), as a multiset.
    responses: Counter
    #: Submitted answers (round, role, agency, item, value), as a multiset.
    values: Counter
    #: Submitted comments (round, role, agency, dimension, text), as a multiset.
    comments: Counter
    #: Answers in progress by the hash of the link pointing at them: (round, language,
    #: role, agency, years, saved_at, answers, comments).
    drafts: dict
    #: Whether each link (by hash) was used to submit.
    used: dict


#: How to read `AnswersHeld` before revision 0002 (responses with a state, one table) and
#: after it (drafts apart, random keys, a used flag).
BEFORE_0002 = {
    "responses": "SELECT id, round_id, language, role, agency, years FROM response "
    "WHERE state = 'submitted'",
    "answers": "SELECT response_id, item_id, value FROM answer",
    "comments": "SELECT response_id, dimension_id, text FROM comment",
    "drafts": "SELECT i.token_hash, r.id, r.round_id, r.language, r.role, r.agency, r.years, "
    "r.saved_at FROM response r LEFT JOIN invitation i ON i.response_id = r.id "
    "WHERE r.state = 'in_progress'",
    "used": "SELECT token_hash, used_on IS NOT NULL FROM invitation",
}
AFTER_0002 = {
    "responses": "SELECT id, round_id, language, role, agency, years FROM response",
    "answers": "SELECT response_id, item_id, value FROM answer "
    "UNION ALL SELECT draft_id, item_id, value FROM draft_answer",
    "comments": "SELECT response_id, dimension_id, text FROM comment "
    "UNION ALL SELECT draft_id, dimension_id, text FROM draft_comment",
    "drafts": "SELECT i.token_hash, d.id, d.round_id, d.language, d.role, d.agency, d.years, "
    "d.saved_at FROM draft d LEFT JOIN invitation i ON i.draft_id = d.id",
    "used": "SELECT token_hash, used FROM invitation",
}


def answers_held(engine, sql: dict[str, str]) -> tuple[AnswersHeld, set[int]]:
    """The answers, and the keys of the submitted responses. Answers and comments are
    read together with the drafts' (after 0002 keyed by draft id), then told apart."""
    with engine.connect() as conn:
        read = {name: conn.execute(text(sql[name])).all() for name in sql.keys() - {"drafts"}}
        drafts = conn.execute(text(sql["drafts"]).columns(saved_at=DateTime)).all()
    submitted = {key: (rnd, role, agency) for key, rnd, _, role, agency, _ in read["responses"]}

    def of_submitted(rows) -> Counter:
        return Counter((*submitted[key], *rest) for key, *rest in rows if key in submitted)

    def of_draft(rows, draft_id) -> list:
        return sorted((tuple(rest) for key, *rest in rows if key == draft_id), key=repr)

    held = AnswersHeld(
        responses=Counter(tuple(row[1:]) for row in read["responses"]),
        values=of_submitted(read["answers"]),
        comments=of_submitted(read["comments"]),
        drafts={
            token_hash: (*profile, of_draft(read["answers"], key), of_draft(read["comments"], key))
            for token_hash, key, *profile in drafts
        },
        used={token_hash: bool(used) for token_hash, used in read["used"]},
    )
    return held, set(submitted)


def test_a_create_all_database_is_adopted_by_init_without_losing_an_answer(bare_app):
    """The old schema's answers, upgraded through 0002: submitted ones as responses under
    new random keys (no old id survives), the one in progress as its link's draft."""
    engine = engine_of(bare_app)
    load_legacy_dump(str(engine.url.render_as_string(hide_password=False)))
    assert migrations.state(engine) is SchemaState.LEGACY
    assert count_rows(engine, LEGACY_ROWS) == LEGACY_ROWS
    before, submitted_ids = answers_held(engine, BEFORE_0002)
    with engine.connect() as conn:
        old_ids = set(conn.execute(text("SELECT id FROM response")).scalars())
    client = bare_app.test_client()
    refused = client.get("/f/norrsund?lang=en")
    assert refused.status_code == 503 and "survey db upgrade" in refused.text

    result = bare_app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    adopted = "made before migrations, its tables checked and stamped revision 0001"
    assert adopted in result.output
    assert revision_row(engine) == [migrations.head()]
    assert count_rows(engine, ADOPTED_ROWS) == ADOPTED_ROWS
    instruments = count_rows(engine, LEGACY_INSTRUMENT_ROWS)
    assert all(instruments[t] >= n for t, n in LEGACY_INSTRUMENT_ROWS.items()), instruments
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), models.Base.metadata) == []
    after, keys = answers_held(engine, AFTER_0002)
    assert after == before
    assert_legacy_answers(before, len(submitted_ids))
    assert len(keys) == len(submitted_ids) and not keys & old_ids
    assert all(2**51 <= key < 2**52 for key in keys)
    assert_no_order_kept(engine)

    # The adopted database is served and takes new answers (sequences carried over too).
    assert signed_in(bare_app, client).get("/f/norrsund").status_code == 200
    with bare_app.extensions["survey_sessions"]() as db:
        rnd = make_round(db, slug="nyvik")
        answer_all(client, invite(db, rnd)[0])
    assert count_rows(engine, ["response"]) == {"response": 4}


def assert_legacy_answers(held: AnswersHeld, submitted: int) -> None:
    """What the dump's header promises, so the comparison above compares something."""
    assert submitted == sum(held.responses.values()) == 3
    assert sum(held.values.values()) == 120 and held.values[(1, "chef", "region", 1, None)]
    assert list(held.comments) == [(1, "handlaggare", "kommun", 1, "Vi träffas varje vecka – bra!")]
    (draft,) = held.drafts.values()
    assert list(held.drafts) == [hash_token("legacy-draft")]
    assert draft[:6] == (1, "sv", "handlaggare", None, None, dt.datetime(2026, 3, 3, 9, 15))
    assert len(draft[6]) == 10 and draft[7] == []
    used = {hash_token(t) for t in ("legacy-used", "legacy-used-2", "legacy-2025")}
    assert held.used == {token_hash: token_hash in used for token_hash in held.used}
    assert len(held.used) == 6


def assert_no_order_kept(engine) -> None:
    """No counter of the old tables is left: on SQLite the submitted tables are WITHOUT
    ROWID and no page from before is readable, on PostgreSQL the old sequences (which
    counted submissions) are gone."""
    if engine.dialect.name == "sqlite":
        assert without_rowid(engine) == WITHOUT_ROWID_IN_MODELS
        # The dump's 2025 response was submitted (and its link used) on a date found in no
        # other row: no free page of the file and nothing in its -wal still holds it.
        database = Path(engine.url.database)
        for file in (database, database.with_name(f"{database.name}-wal")):
            assert not file.exists() or b"2025-03-20" not in file.read_bytes(), file
        return
    with engine.connect() as conn:
        sequences = set(conn.execute(text("SELECT relname FROM pg_class WHERE relkind = 'S'")))
    assert {name for (name,) in sequences} == {
        f"{table.name}_id_seq"
        for table in models.Base.metadata.sorted_tables
        if table.autoincrement_column is not None
    }


@pytest.fixture
def newer_code(monkeypatch, tmp_path):
    """The migrations as they will be once a revision after today's newest is written."""
    newer = tmp_path / "migrations"
    shutil.copytree(migrations.MIGRATIONS_DIR, newer, ignore=shutil.ignore_patterns("__pycache__"))
    probe = PROBE_REVISION.replace("{head}", migrations.head())
    (newer / "versions" / "9999_probe.py").write_text(probe, encoding="utf-8")

    def move_on():
        monkeypatch.setattr(migrations, "MIGRATIONS_DIR", newer)

    return move_on


def test_a_database_behind_the_code_is_refused_until_upgraded(
    bare_app, newer_code, database_url, tmp_path
):
    """Real migrations all the way: the database is made by today's revisions (to the head) and
    answered; then the code moves on to migrations with a revision 9999 (a test-only copy
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

    today = migrations.head()
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
    assert f"upgraded from revision {today} to 9999" in result.output
    assert client.get(f"/r/{token}").status_code == 200
    assert signed_in(restarted, client).get("/f/norrsund").status_code == 200
    assert count_rows(engine, ["answer"]) == answers
    assert "probe" in {c["name"] for c in inspect(engine).get_columns("response")}
    if engine.dialect.name == "sqlite":  # recreated by batch mode, still WITHOUT ROWID
        assert without_rowid(engine) == WITHOUT_ROWID_IN_MODELS
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
    with engine.begin() as conn:  # revision 0001's tables, unstamped, a table and a column short
        command.upgrade(migrations.config(conn), migrations.LEGACY_REVISION)
        conn.execute(text("DROP TABLE alembic_version"))
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


@pytest.mark.slow
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
