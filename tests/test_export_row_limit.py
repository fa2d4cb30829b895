"""Excel's row limit: no sheet of ours is ever longer than Excel opens (LibreOffice would
drop the rest without a word). A selection whose long form is one row over the limit
(lowered through the export's `max_rows`) leaves the long form out of the workbook, says
where it is, and every answer is still in the package's CSV and Parquet files."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter

import pyarrow.parquet as pq
import pytest
from exportdata import build, sheet_rows, workbook
from sqlalchemy import select

from survey.db import models
from survey.exports import worksheets
from survey.exports.dataset import Export
from survey.exports.package import write_package
from survey.exports.research import LONG_IN_PACKAGE, long_form_notice, write_research_workbook
from survey.exports.selection import ExportFilter, select_rounds


@pytest.fixture
def client(admin_client):
    return admin_client


def stored_answers(db, rnd) -> Counter:
    """(statement, value) of every stored answer of the round, counted in SQL here."""
    rows = db.execute(
        select(models.Item.code, models.Answer.value)
        .join(models.Answer, models.Answer.item_id == models.Item.id)
        .join(models.Response, models.Response.id == models.Answer.response_id)
        .where(models.Response.round_id == rnd.id)
    )
    return Counter(tuple(row) for row in rows)


def test_a_long_form_one_row_over_the_limit_is_in_csv_and_parquet_not_the_workbook(db):
    rounds = build(db)
    answers = stored_answers(db, rounds["n26"])  # the 2026 export: Norrsund's six
    total = sum(answers.values())
    selection = select_rounds(db, ExportFilter(rounds=("2026",)))
    limit = total  # header + every answer: one row over

    out = io.BytesIO()
    result = write_research_workbook(db, selection, out, k=5, max_rows=limit)
    wb = workbook(out.getvalue())
    assert all(wb[name].max_row <= limit for name in wb.sheetnames)
    note = sheet_rows(wb, "Svar_lång")
    assert len(note) == 2 and f"{total:,}" in note[1][0] and "svar_lang.parquet" in note[1][0]
    meta = dict(r[:2] for r in sheet_rows(wb, "Metadata") if r and r[0])
    assert meta["lång form (Svar_lång)"] == note[1][0]
    assert len(sheet_rows(wb, "Svar")) == 7  # the wide form is whole
    assert "/export/research.zip" in result.notice("en")

    # At the limit exactly, the long form is in the workbook.
    out = io.BytesIO()
    assert write_research_workbook(db, selection, out, k=5, max_rows=limit + 1).notice() is None
    assert len(sheet_rows(workbook(out.getvalue()), "Svar_lång")) == limit + 1

    # The package: the same limit, and every answer in both long files.
    out = io.BytesIO()
    package = write_package(db, selection, out, k=5, max_rows=limit)
    assert "this package holds it" in package.notice("en")
    archive = zipfile.ZipFile(out)
    wb = workbook(archive.read("svar.xlsx"))
    assert all(wb[name].max_row <= limit for name in wb.sheetnames)
    text = archive.read("svar_lang.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    in_csv = Counter((code, int(value) if value else None) for _id, code, value, _d in rows)
    assert in_csv == answers
    long = pq.read_table(io.BytesIO(archive.read("svar_lang.parquet"))).to_pydict()
    assert Counter(zip(long["pastaende"], long["varde"], strict=True)) == answers
    assert "Den långa formen har" in archive.read("README.txt").decode()  # lang="sv"


def test_the_real_limit_is_decided_from_a_count_made_in_sql(db):
    """Excel's own limit without writing a million rows: the decision takes the SQL count."""
    rounds = build(db)
    selection = select_rounds(db, ExportFilter(rounds=("2026",)))
    counted = Export.prepare(db, selection, 5, True).long_rows(db)
    assert counted == sum(stored_answers(db, rounds["n26"]).values())
    assert worksheets.EXCEL_MAX_ROWS == 2**20 == 1_048_576
    assert worksheets.fits_a_sheet(counted)
    assert worksheets.fits_a_sheet(worksheets.EXCEL_MAX_ROWS - 1)  # + the header: exactly full
    assert not worksheets.fits_a_sheet(worksheets.EXCEL_MAX_ROWS)
    # 30,000 responses × 40 statements, as measured: a sheet of 1,175,929 rows with its header.
    notice = long_form_notice(1_175_928, worksheets.EXCEL_MAX_ROWS, LONG_IN_PACKAGE, "en")
    assert "1,175,928 rows, more than the 1,048,576" in notice


def test_the_command_line_and_the_download_say_where_the_long_form_is(
    db, runner, client, tmp_path, monkeypatch
):
    build(db)
    # Excel's limit, lowered below the long form (6 × 39 answers), above the codebook's rows.
    monkeypatch.setattr(worksheets, "EXCEL_MAX_ROWS", 200)
    out = tmp_path / "data.xlsx"
    result = runner.invoke(args=["export", "--kind", "research", "--round", "2026", "--out", out])
    assert result.exit_code == 0, result.output
    assert "Note: The long form has" in result.stderr and "--out FILE.zip" in result.stderr
    assert all(ws.max_row <= 200 for ws in workbook(out.read_bytes()).worksheets)

    package = tmp_path / "data.zip"
    args = ["export", "--kind", "research", "--round", "2026", "--lang", "en", "--out", package]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "6 responses from round(s) 2026 written to" in result.output
    assert "Note: The long form has 234 rows" in result.stderr  # 6 × 39 stored answers
    assert "svar.sav" in zipfile.ZipFile(package).namelist()

    resp = client.get("/export/research.xlsx?round=2026")
    assert resp.status_code == 200
    assert "svar_lang.csv" in resp.headers["X-Export-Notice"]
    assert all(ws.max_row <= 200 for ws in workbook(resp.data).worksheets)
