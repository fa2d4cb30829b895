"""The `survey` command on a temporary instance folder and database."""

from __future__ import annotations

import csv

import pytest
from builders import make_round
from conftest import QUESTIONNAIRES
from sqlalchemy import func, select

from survey.db import models
from survey.rounds import invitations


def count(db, model, **where) -> int:
    return db.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_init_creates_tables_and_loads_questionnaires_idempotently(runner, db):
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "integrerad-samverkan v1 (already loaded)" in result.output
    assert "integrerad-samverkan v2 (already loaded)" in result.output
    assert "integrerad-samverkan v3 (already loaded)" in result.output
    assert count(db, models.Questionnaire) == 3
    # Version 3: version 2's 43 statements and each dimension's level asked twice.
    assert count(db, models.Item) == 40 + 43 + 43 + 2 * 10


def test_load_questionnaire_stores_a_new_version(runner, db, tmp_path):
    source = tmp_path / "q.yaml"
    original = open(QUESTIONNAIRES / "integrerad-samverkan-v1.yaml", encoding="utf-8").read()
    source.write_text(original.replace("version: 1", "version: 9", 1), encoding="utf-8")
    result = runner.invoke(args=["load-questionnaire", str(source)])
    assert result.exit_code == 0, result.output
    assert "integrerad-samverkan v9: 10 dimensions, 40 statements (loaded)" in result.output
    assert count(db, models.Questionnaire) == 4


def test_load_questionnaire_refuses_a_changed_file_under_a_used_version(runner, db, tmp_path):
    original = open(QUESTIONNAIRES / "integrerad-samverkan-v1.yaml", encoding="utf-8").read()
    changed = tmp_path / "changed.yaml"
    changed.write_text(original.replace("Instämmer helt", "Instämmer fullt", 1), encoding="utf-8")
    result = runner.invoke(args=["load-questionnaire", str(changed)])
    assert result.exit_code == 1
    assert "changed.yaml" in result.output and "give the file version 2" in result.output
    assert count(db, models.Questionnaire) == 3  # versions 1, 2 and 3 as loaded


def test_load_questionnaire_names_file_place_and_fault(runner, db, tmp_path):
    broken = tmp_path / "broken.yaml"
    original = open(QUESTIONNAIRES / "integrerad-samverkan-v1.yaml", encoding="utf-8").read()
    broken.write_text(
        original.replace('group: "cultural"', 'group: "kulturell"', 1), encoding="utf-8"
    )
    result = runner.invoke(args=["load-questionnaire", str(broken)])
    assert result.exit_code == 1
    assert "broken.yaml: dimensions[5].group: unknown group 'kulturell'" in result.output
    assert count(db, models.Questionnaire) == 3  # versions 1, 2 and 3 as loaded


@pytest.mark.slow
def test_demo_builds_a_labelled_synthetic_dataset(runner, db):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "9 förbund" in result.output and "/r/" in result.output
    assert count(db, models.Association, is_demo=True) == 9
    assert count(db, models.Round) == 27  # two published rounds and an open one each
    assert count(db, models.Round, state="published") == 18
    per_round = (
        db.execute(
            select(func.count()).select_from(models.Response).group_by(models.Response.round_id)
        )
        .scalars()
        .all()
    )
    assert len(per_round) == 27 and all(35 <= n <= 70 for n in per_round)
    # Running it again replaces the demo rather than doubling it.
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert count(db, models.Round) == 27


def test_demo_refuses_a_database_with_real_rounds(runner, db):
    make_round(db, slug="riktigt")
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "holds real survey rounds" in result.output
    assert count(db, models.Association, is_demo=True) == 0


def test_invite_writes_a_csv_of_working_links(runner, db, client, tmp_path):
    make_round(db)
    out = tmp_path / "links.csv"
    result = runner.invoke(
        args=["invite", "--round", "norrsund/2026", "--count", "3", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert len(rows) == 3
    tokens = [row["link"].rsplit("/", 1)[1] for row in rows]
    assert len(set(tokens)) == 3 and all(len(t) >= 22 for t in tokens)
    # Only hashes are stored, and each link opens the questionnaire.
    stored = set(db.scalars(select(models.Invitation.token_hash)))
    assert stored == {invitations.hash_token(t) for t in tokens}
    assert not stored & set(tokens)
    assert client.get(f"/r/{tokens[0]}").status_code == 200


def test_invite_names_an_unknown_round(runner, db):
    make_round(db)
    result = runner.invoke(args=["invite", "--round", "norrsund/1999"])
    assert result.exit_code == 2
    assert "No survey round '1999'" in result.output


@pytest.mark.slow
def test_console_script_initialises_a_fresh_instance_folder(tmp_path):
    """The installed `survey` command, as an administrator runs it, with no DATABASE_URL."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env["SURVEY_INSTANCE_PATH"] = str(tmp_path / "instance")
    env["QUESTIONNAIRE_DIR"] = str(Path(__file__).parent.parent / "questionnaires")
    survey = Path(sys.executable).parent / "survey"
    result = subprocess.run(
        [str(survey), "init"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "questionnaire integrerad-samverkan v1" in result.stdout
    assert (tmp_path / "instance" / "survey.db").exists()
    key = (tmp_path / "instance" / "secret_key").read_text()
    assert len(key) == 64
    # A second start keeps the same key (sessions survive restarts).
    subprocess.run([str(survey), "init"], env=env, capture_output=True, timeout=60, check=True)
    assert (tmp_path / "instance" / "secret_key").read_text() == key
