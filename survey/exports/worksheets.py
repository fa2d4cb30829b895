"""Worksheets written in openpyxl's write-only mode, shared by the researcher's and the
board's workbooks: a bold frozen header, print set-up, and text that stays text.

Every text value of every workbook and CSV goes through `neutral` (by `cell`, `safe`,
`bold_row` or `csv_row`): text a spreadsheet would run as a formula is shown, not run."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

#: What Excel, LibreOffice and Google Sheets may read as the start of a formula (OWASP's
#: CSV injection guidance): a name such as `=HYPERLINK(…)` or `@SUM(A1)` would otherwise
#: run, or send data elsewhere, when the file is opened (a CSV) or a cell edited (a workbook).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Rows per sheet that Excel opens (2^20). LibreOffice silently drops what lies beyond and
#: pandas refuses to write it, so no sheet of ours is ever longer, header row included.
EXCEL_MAX_ROWS = 1_048_576


def fits_a_sheet(rows: int, max_rows: int | None = None) -> bool:
    """Whether `rows` data rows and a header row fit a sheet (`max_rows`: a lowered limit
    for tests; None: Excel's, read at call time)."""
    return rows + 1 <= (max_rows or EXCEL_MAX_ROWS)


def neutral(text: str) -> str:
    """`text`, with a single quote before it when it starts like a formula: still readable,
    never run. Only text goes through here; numbers stay numbers."""
    return "'" + text if text.startswith(FORMULA_START) else text


def cell(ws: WriteOnlyWorksheet, value: object) -> object:
    """A value for a workbook row. Text is neutralised and loses the control characters
    Excel cannot store; text openpyxl would still read as something else (an error code
    such as "#N/A") becomes a cell typed as text. Other values are returned as they are."""
    if isinstance(value, str) and (
        value.startswith(FORMULA_START)
        or value in ERROR_CODES
        or ILLEGAL_CHARACTERS_RE.search(value)
    ):
        return text_cell(ws, value)
    return value  # plain text (openpyxl types it 's'), a number, a date or None


def text_cell(ws: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    """A cell that is always text (data type 's'), neutralised and without the control
    characters Excel cannot store (a comment starting with '=' stays a comment)."""
    text = neutral(ILLEGAL_CHARACTERS_RE.sub("", value))
    written = WriteOnlyCell(ws, value=text)
    written.data_type = "s"
    return written


def safe(ws: WriteOnlyWorksheet, row: Iterable[object]) -> list[object]:
    """A row for `ws.append`, every text value through `cell`."""
    return [cell(ws, value) for value in row]


WRAP = Alignment(wrap_text=True, vertical="top")


def bold_row(
    ws: WriteOnlyWorksheet, values: Iterable[object], wrap: bool = False
) -> list[WriteOnlyCell]:
    """A row of bold cells (headings, which may hold a förbund's name), text neutralised;
    `wrap`: a heading wider than its column wraps rather than being cut."""
    bold, cells = Font(bold=True), []
    for value in values:
        written = text_cell(ws, value) if isinstance(value, str) else WriteOnlyCell(ws, value)
        written.font = bold
        if wrap:
            written.alignment = WRAP
        cells.append(written)
    return cells


def csv_row(values: Iterable[object]) -> list[object]:
    """A row for `csv.writer`, every text value neutralised (the csv module quotes what
    holds a separator, a quote or a line break)."""
    return [neutral(v) if isinstance(v, str) else v for v in values]


def header_sheet(
    wb: Workbook,
    title: str,
    header: Sequence[str],
    widths: Sequence[float] = (),
    landscape: bool = False,
) -> WriteOnlyWorksheet:
    """A write-only sheet with a bold, frozen, wrapped header row, printed one page wide
    with the header on every page (`landscape` or portrait)."""
    ws = wb.create_sheet(title)
    print_setup(ws, landscape=landscape, title_rows="1:1")
    for index, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    ws.freeze_panes = "A2"
    ws.append(bold_row(ws, header, wrap=True))
    return ws


def print_setup(
    ws: WriteOnlyWorksheet, *, landscape: bool = True, title_rows: str | None = None
) -> None:
    """Print (and convert to PDF) on A4, one page wide and as many pages down as needed,
    with `title_rows` (e.g. "1:1") repeated on every page. Set before the first row: a
    write-only sheet writes its properties with it."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def wrapped(ws: WriteOnlyWorksheet, value: object) -> object:
    """Text that wraps inside its column (a long förbund name) instead of running into
    the next one, which cuts it where that one holds something; other values unchanged."""
    if not isinstance(value, str):
        return value
    written = text_cell(ws, value)
    written.alignment = WRAP
    return written
