"""The researcher's workbook writer: XlsxWriter in constant-memory mode (each row goes to a
temporary file as soon as the next one starts), measured faster than openpyxl's write-only
mode on the same rows (bench/export.py prints both) and read back identically by openpyxl
and pandas. The board's workbook stays on openpyxl (its radar chart).

Every value is written by its type, never guessed from text: a string is always a string
cell (XlsxWriter's `write` would make "=…" a formula), neutralised by
`worksheets.neutral` and without the control characters Excel cannot store, exactly as the
openpyxl sheets do. Numbers stay numbers, booleans booleans, None an empty cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO

import xlsxwriter
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from survey.exports.worksheets import neutral

A4 = 9  # XlsxWriter's (and Excel's) paper size code
OPTIONS = {
    "constant_memory": True,
    # Text stays text: no formulas, links or numbers made from strings.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def text(value: str) -> str:
    """Text as a cell holds it: no control characters Excel cannot store, and never a
    formula (a leading '=' and the like get a single quote before them). A carriage return
    becomes a line break: XlsxWriter would store it as "_x000D_", which Excel decodes but
    openpyxl and pandas read back literally."""
    cleaned = neutral(ILLEGAL_CHARACTERS_RE.sub("", value))
    return cleaned.replace("\r\n", "\n").replace("\r", "\n")


class StreamedSheet:
    """A sheet written row by row, top to bottom, with a bold frozen header row."""

    def __init__(self, book: StreamedWorkbook, title: str, header: Sequence[str]) -> None:
        self.ws = book.wb.add_worksheet(title)
        self.row = 0
        self.ws.freeze_panes(1, 0)
        self.append(header, book.bold)

    def widths(self, widths: Sequence[float]) -> StreamedSheet:
        for col, width in enumerate(widths):
            self.ws.set_column(col, col, width)
        return self

    def printed(self, landscape: bool) -> StreamedSheet:
        """Printed (and converted to PDF) on A4, one page wide and as many pages down as
        needed, the header row repeated on every page; landscape or portrait."""
        if landscape:
            self.ws.set_landscape()
        else:
            self.ws.set_portrait()
        self.ws.set_paper(A4)
        self.ws.fit_to_pages(1, 0)
        self.ws.repeat_rows(0)
        return self

    def append(self, values: Iterable[object], cell_format=None) -> None:
        row, ws = self.row, self.ws
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(row, col, text(value), cell_format)
            elif isinstance(value, bool):
                ws.write_boolean(row, col, value, cell_format)
            else:
                ws.write_number(row, col, value, cell_format)
        self.row += 1

    def append_numbers_and_codes(self, values: Sequence[object]) -> None:
        """A long-form row (id, statement code, value, demo): numbers and an item code that
        the questionnaire validated as a plain code, so nothing needs neutralising."""
        row, ws = self.row, self.ws
        ws.write_number(row, 0, values[0])
        ws.write_string(row, 1, values[1])
        if values[2] is not None:
            ws.write_number(row, 2, values[2])
        ws.write_number(row, 3, values[3])
        self.row += 1


class StreamedWorkbook:
    def __init__(self, out: IO[bytes]) -> None:
        self.wb = xlsxwriter.Workbook(out, OPTIONS)
        self.bold = self.wb.add_format({"bold": True, "text_wrap": True, "valign": "top"})

    def sheet(
        self, title: str, header: Sequence[str], widths: Sequence[float], landscape: bool
    ) -> StreamedSheet:
        """A sheet with a bold, frozen, wrapped header row, printed one page wide."""
        return StreamedSheet(self, title, header).widths(widths).printed(landscape)

    def close(self) -> None:
        self.wb.close()
