"""Text that a spreadsheet would run as a formula (OWASP's CSV injection: a value starting
with =, +, -, @, tab or carriage return) is written as text after a single quote in every
workbook and CSV; numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest
from builders import add_response, make_round
from exportdata import sheet_rows, workbook

from survey.db import models


@pytest.fixture
def client(admin_client):
    """Board pages and downloads need a signed-in user: a system administrator's browser
    (who may use which route: tests/test_access.py)."""
    return admin_client


#: Förbund names as someone could type them into `survey forbund add`.
NAMES = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=1+1"]
COMMENT = '=HYPERLINK("http://x","klicka")'


@pytest.fixture
def formulas(db):
    """One förbund per name with a round 2026 of five like responses (no recoding needed),
    the first with a comment that looks like a formula."""
    for i, name in enumerate(NAMES):
        db.add(models.Association(slug=f"f{i}", name=name))
        db.flush()
        rnd = make_round(db, slug=f"f{i}", label="2026", state="published")
        for v in range(1, 6):
            comments = {"STRAT": COMMENT} if i == v == 1 else None
            add_response(db, rnd, {"STRAT1": v, "STRAT2": 4}, comments=comments)
    db.commit()


def no_formulas(wb) -> list[str]:
    """Every text value of every sheet; fails on any cell Excel would run as a formula."""
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def test_board_workbook_writes_formula_like_names_as_text(client, formulas):
    wb = workbook(client.get("/export/board.xlsx?round=2026").data)
    texts = no_formulas(wb)
    overview = sheet_rows(wb, "Översikt")
    for name in NAMES:
        assert "'" + name in texts  # in Översikt, and as the heading of its own sheet
        assert any(row[0] == "'" + name for row in overview[1:])
        assert name not in texts
    # Numbers stay numbers: n and the mean of STRAT (its two statements).
    strat = next(row for row in overview[1:] if row[3] == "STRAT")
    assert strat[4] == 5 and strat[5] == pytest.approx(3.5)
    # A sheet name is never run: it keeps the name, less what Excel forbids in one (and
    # with runs of spaces as one, as the name is cut between words).
    assert '=HYPERLINK("http x","y")' in wb.sheetnames
    assert not any(title.startswith("'") for title in wb.sheetnames)


def test_research_workbook_writes_formula_like_names_and_comments_as_text(client, formulas):
    wb = workbook(client.get("/export/research.xlsx?round=2026&comments=1").data)
    texts = no_formulas(wb)
    rows = sheet_rows(wb, "Svar")
    names = {row[3] for row in rows[1:]}  # forbund_namn
    # A carriage return is a line break in a cell (survey.exports.streamed_workbook.text).
    assert names == {"'" + name.replace("\r", "\n") for name in NAMES}
    assert not set(NAMES) & set(texts)
    comments = sheet_rows(wb, "Kommentarer")
    assert [row[2] for row in comments[1:]] == ["'" + COMMENT]
    # Numbers stay numbers: the statement values and the dimension scores.
    strat1 = rows[0].index("STRAT1")
    assert sorted(row[strat1] for row in rows[1:] if row[2] == "f0") == [1, 2, 3, 4, 5]
    # (Excel has one number type: a score of 3.0 reads back as 3.)
    assert isinstance(rows[1][rows[0].index("STRAT_medel")], int | float)


@pytest.mark.parametrize(("sep", "delimiter"), [("comma", ","), ("semicolon", ";")])
def test_research_csv_writes_formula_like_names_after_a_quote(client, formulas, sep, delimiter):
    body = client.get(f"/export/research.csv?round=2026&sep={sep}").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body, newline=""), delimiter=delimiter))
    head = rows[0]
    names = [row[head.index("forbund_namn")] for row in rows[1:]]
    assert all(field.startswith("'") for field in names)
    assert set(names) == {"'" + name for name in NAMES}
    # Numbers are written as numbers, without a quote.
    assert {row[head.index("STRAT2")] for row in rows[1:]} == {"4"}
    scores = {row[head.index("STRAT_medel")] for row in rows[1:]}
    assert scores == (
        {"2.5", "3.0", "3.5", "4.0", "4.5"}
        if sep == "comma"
        else {"2,5", "3,0", "3,5", "4,0", "4,5"}
    )
