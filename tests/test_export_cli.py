"""`survey export` as an administrator or researcher runs it, and the exports' refusals:
each bad request names what is wrong and leaves no file behind."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from builders import add_response
from exportdata import all_other, build, expected_rows, same, sheet_rows, varied, workbook
from sqlalchemy import select

from survey import create_app
from survey.db import models
from survey.instruments.catalog import save_questionnaire
from survey.instruments.loading import parse_questionnaire_text
from survey.rounds import lifecycle


@pytest.fixture
def client(admin_client):
    """These tests are about the board's pages and downloads, which need a signed-in user:
    a system administrator's browser (who may use which route: tests/test_access.py)."""
    return admin_client


V1 = Path(__file__).resolve().parent.parent / "questionnaires" / "integrerad-samverkan-v1.yaml"


def test_export_research_board_and_csv_from_the_command_line(runner, db, tmp_path):
    rounds = build(db)
    out = tmp_path / "forskning.xlsx"
    result = runner.invoke(
        args=["export", "--kind", "research", "--round", "2026", "--comments", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    # Recoded by default: Sydkust's two responses (fewer than k) are left out.
    assert "Exporting 6 responses" in result.output  # the progress bar's label
    assert f"6 responses from round(s) 2026 written to {out}" in result.output
    assert not result.stderr  # the warning is for --unrecoded only
    wb = workbook(out.read_bytes())
    assert "Kommentarer" in wb.sheetnames
    expected = all_other(expected_rows(db, [rounds["n26"].id]))
    assert same([r[1:] for r in sheet_rows(wb, "Svar")[1:]], expected)

    csv_out = tmp_path / "forskning.csv"
    args = ["export", "--kind", "research", "--forbund", "norrsund", "--sep", "semicolon"]
    result = runner.invoke(args=[*args, "--out", str(csv_out)])
    assert result.exit_code == 0, result.output
    df = pd.read_csv(csv_out, sep=";", decimal=",", encoding="utf-8-sig", dtype={"omgang": str})
    assert sorted(df.omgang.unique()) == ["2025", "2026"] and len(df) == 11

    board = tmp_path / "styrelse.xlsx"
    result = runner.invoke(
        args=["export", "--kind", "board", "--round", "2026", "--out", str(board)]
    )
    assert result.exit_code == 0, result.output
    assert "2 round(s) written to" in result.output
    assert workbook(board.read_bytes()).sheetnames[0] == "Översikt"


def test_bad_export_requests_are_refused_without_writing_a_file(runner, db, tmp_path):
    build(db)
    folder = tmp_path / "exports"
    folder.mkdir()
    earlier = folder / "earlier.xlsx"
    earlier.write_bytes(b"an earlier export")
    cases = [
        (["--kind", "research", "--round", "1999"], "earlier.xlsx", 1, "No survey round '1999'"),
        (["--kind", "research", "--forbund", "x"], "earlier.xlsx", 1, "No förbund 'x'"),
        (["--kind", "board"], "board.csv", 2, "a board export is written to .xlsx"),
        (["--kind", "research"], "data.txt", 2, "written to .xlsx, .csv or .zip"),
        (
            ["--kind", "research", "--version", "7"],
            "earlier.xlsx",
            1,
            "No published survey round matches",
        ),
        (["--kind", "weird"], "x.xlsx", 2, "'weird' is not one of 'research', 'board'"),
        (["--kind", "research", "--comments"], "c.csv", 2, "only in the research workbook"),
    ]
    for args, name, code, message in cases:
        result = runner.invoke(args=["export", *args, "--out", str(folder / name)])
        assert result.exit_code == code, (args, result.output)
        assert message in result.output, (args, result.output)
    assert sorted(p.name for p in folder.iterdir()) == ["earlier.xlsx"]
    assert earlier.read_bytes() == b"an earlier export"


def load_version_3(db, change: str | None = None) -> models.Questionnaire:
    """A copy of version 1 as version 9 (the real versions 2 and 3 are loaded too)."""
    text = V1.read_text(encoding="utf-8").replace("version: 1", "version: 9", 1)
    if change:
        text = text.replace('code: "STRAT4"', f'code: "{change}"', 1)
    row, _ = save_questionnaire(db, parse_questionnaire_text(text, "v9.yaml"))
    db.commit()
    return row


def round_with(db, questionnaire: models.Questionnaire, label: str) -> models.Round:
    assoc = db.scalar(select(models.Association).filter_by(slug="norrsund"))
    rnd = lifecycle.create_round(db, assoc, questionnaire, label, state="published")
    db.commit()
    return rnd


def test_versions_with_the_same_statements_share_one_sheet(client, runner, db, tmp_path):
    build(db)
    rnd = round_with(db, load_version_3(db), "2027")
    for seed in range(5):  # k responses: fewer would be left out of the file
        add_response(db, rnd, varied(seed))
    wb = workbook(client.get("/export/research.xlsx?forbund=norrsund").data)
    assert len(sheet_rows(wb, "Svar")) == 1 + 5 + 6 + 5
    meta = {r[0]: r[1] for r in sheet_rows(wb, "Metadata")[1:] if r[0]}
    assert meta["enkätversioner"] == "integrerad-samverkan v1, integrerad-samverkan v9"
    assert meta["texter i kodboken från"] == "integrerad-samverkan v9"


def test_versions_with_different_statements_are_refused_unless_filtered(
    client, runner, db, tmp_path
):
    build(db)
    rnd = round_with(db, load_version_3(db, change="STRAT9"), "2027")
    add_response(db, rnd, {"STRAT9": 4})
    for url in ("/export/research.xlsx", "/export/research.csv?forbund=norrsund"):
        resp = client.get(url)
        assert resp.status_code == 400 and resp.mimetype == "text/html"
        assert '<select id="q" name="q"' in resp.text  # the researcher's page again, with why
        assert "integrerad-samverkan v1, integrerad-samverkan v9" in resp.text
        assert "påståenden som skiljer sig: STRAT4, STRAT9" in resp.text
    out = tmp_path / "mixed.xlsx"
    result = runner.invoke(args=["export", "--kind", "research", "--out", str(out)])
    assert result.exit_code == 1 and "STRAT4, STRAT9" in result.output
    assert not out.exists()
    # One version at a time works, and so does a board workbook (aggregates per round).
    only_v2 = workbook(client.get("/export/research.xlsx?version=9").data)
    assert "STRAT9" in sheet_rows(only_v2, "Svar")[0]
    assert client.get("/export/board.xlsx?forbund=norrsund").status_code == 200


def test_export_before_init_says_what_to_do(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
            "INSTANCE_PATH": tmp_path / "instance",
        }
    )
    out = tmp_path / "styrelse.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "--kind", "board", "--out", str(out)])
    assert result.exit_code == 1 and "run `survey init` first" in result.output
    assert not out.exists()
    app.extensions["survey_engine"].dispose()
