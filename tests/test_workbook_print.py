"""The board's and the researcher's workbooks print sensibly: A4, one page wide, headings
wrapped and repeated on every page, and columns wide enough for what they hold (read back
with openpyxl, as LibreOffice and Excel read the print settings)."""

from __future__ import annotations

from exportdata import build, workbook
from openpyxl.utils import get_column_letter

from survey.db import models

LONG_NAME = "Samordningsförbundet för de norra och västra kustkommunerna i Sydkust-regionen"


def prints_one_page_wide(ws, orientation: str, title_rows: str) -> None:
    setup = ws.page_setup
    assert (setup.orientation, int(setup.paperSize)) == (orientation, 9), ws.title  # 9: A4
    # XlsxWriter omits fitToWidth="1", the default, which openpyxl reads back as None.
    assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0), ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True, ws.title
    assert ws.print_title_rows == title_rows, ws.title


def fits(ws, cell) -> bool:
    """The cell's text fits its column's width (in characters), or wraps inside it."""
    width = ws.column_dimensions[get_column_letter(cell.column)].width
    return len(str(cell.value)) <= width or cell.alignment.wrap_text


def test_board_and_research_workbooks_print_on_a4_one_page_wide(admin_client, db):
    build(db)
    sydkust = db.query(models.Association).filter_by(slug="sydkust").one()
    sydkust.name = LONG_NAME
    db.commit()

    board = workbook(admin_client.get("/export/board.xlsx?round=2026").data)
    overview, *sheets, about = board.worksheets
    prints_one_page_wide(overview, "landscape", "$1:$1")
    prints_one_page_wide(about, "landscape", "$1:$1")
    for ws in sheets:
        prints_one_page_wide(ws, "landscape", "$4:$4")
        assert all(c.alignment.wrap_text for c in ws[4] if c.value), "trend headings wrap"
        # Every "för få svar (n < 5)" and every mean of the trend table fits its column.
        trend = [c for row in ws.iter_rows(min_row=5, max_row=14) for c in row if c.value]
        assert len({c.row for c in trend}) == 10 and all(fits(ws, c) for c in trend)
    assert all(c.alignment.wrap_text for c in overview[1])
    texts = [c for row in overview.iter_rows(min_row=2) for c in row if c.value is not None]
    assert any(c.value == "för få svar (n < 5)" for c in texts)  # Sydkust's two answers
    assert any(c.value == LONG_NAME for c in texts)
    assert all(fits(overview, c) for c in texts)

    research = workbook(admin_client.get("/export/research.xlsx?comments=1").data)
    orientation = {"Svar": "landscape", "Kodbok": "landscape"}
    for ws in research.worksheets:
        prints_one_page_wide(ws, orientation.get(ws.title, "portrait"), "$1:$1")
        assert all(c.alignment.wrap_text for c in ws[1] if c.value), ws.title
