"""Worksheets written in openpyxl's write-only mode, shared by the researcher's and the
board's workbooks: a bold frozen header, print set-up, and text that stays text."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet


def text_cell(ws: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    """A cell that is always text: a comment starting with '=' must not become a formula,
    and control characters that Excel cannot store are dropped."""
    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def safe(ws: WriteOnlyWorksheet, row: Sequence[object]) -> list[object]:
    """Text that Excel would read as a formula or an error code is written as text."""
    return [text_cell(ws, v) if isinstance(v, str) and v[:1] in ("=", "#") else v for v in row]


def header_sheet(
    wb: Workbook,
    title: str,
    header: Sequence[str],
    widths: Sequence[float] = (),
    landscape: bool = False,
) -> WriteOnlyWorksheet:
    """A write-only sheet with a bold, frozen header row (`landscape`: printed one page wide)."""
    ws = wb.create_sheet(title)
    if landscape:
        print_landscape(ws)
    for index, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for name in header:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        cells.append(cell)
    ws.append(cells)
    return ws


def print_landscape(ws: WriteOnlyWorksheet) -> None:
    """Print (and convert to PDF) in landscape, one page wide. Set before the first row."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
