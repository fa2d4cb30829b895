"""The researcher's workbook writer: XlsxWriter in constant-memory mode (each row goes to a
temporary file as soon as the next one starts), measured faster than openpyxl's write-only
mode on the same rows (bench/export.py prints both) and read back identically by openpyxl
and pandas. The board's workbook stays on openpyxl (its radar chart).

Every value is written by its type, never guessed from text: a string is always a string
cell (XlsxWriter's `write` would make "=…" a formula), neutralised by
`worksheets.neutral` and without the control characters Excel cannot store, exactly as the
openpyxl sheets do. Numbers stay numbers, booleans booleans, None an empty cell.

Rows without a format are written as the `<row>` element XlsxWriter itself would write
for them (`RowXml`), built as one string and handed to the sheet's row file: XlsxWriter's
own path costs about 4 µs a cell (argument parsing, a cell tuple, a dimension check and an
XML call per cell), this about 0.3. tests/test_export_workbook_xml.py compares the two
byte for byte, so an XlsxWriter upgrade that changes its cell XML fails there first.

The parts are deflated at DEFLATE_LEVEL, chosen by measurement (bench/export.py --deflate,
docs/development.md): at zlib's default (6), which XlsxWriter uses and offers no option to
change, deflating was 44 % of the workbook's CPU time.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from typing import IO

import xlsxwriter
import xlsxwriter.workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from survey.exports.worksheets import neutral

A4 = 9  # XlsxWriter's (and Excel's) paper size code
OPTIONS = {
    "constant_memory": True,
    # Text stays text: no formulas, links or numbers made from strings.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
#: Distinct short strings whose cell XML is remembered (codes, round labels, förbund
#: names repeat on every row); a bound keeps memory flat whatever the text.
CACHE_LIMIT, CACHED_LENGTH = 4096, 200


def text(value: str) -> str:
    """Text as a cell holds it: no control characters Excel cannot store, and never a
    formula (a leading '=' and the like get a single quote before them). A carriage return
    becomes a line break: XlsxWriter would store it as "_x000D_", which Excel decodes but
    openpyxl and pandas read back literally."""
    cleaned = neutral(ILLEGAL_CHARACTERS_RE.sub("", value))
    return cleaned.replace("\r\n", "\n").replace("\r", "\n")


#: zlib level of the workbook's parts: level 1 deflates the sheets about five times faster
#: than level 6 for a file about 40 % larger (the table in docs/development.md).
DEFLATE_LEVEL = 1
_closing_level: ContextVar[int | None] = ContextVar("workbook_deflate_level", default=None)


class _LevelledZipFile(zipfile.ZipFile):
    """XlsxWriter's zip (it opens one `ZipFile` when a workbook closes) at the level of the
    workbook being closed by `StreamedWorkbook.close`; zlib's default for any other."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("compresslevel", _closing_level.get())
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


# XlsxWriter has no option for the level (its issue 853): its module's ZipFile is ours.
xlsxwriter.workbook.ZipFile = _LevelledZipFile  # type: ignore[misc]


class RowXml:
    """The `<row>` XML XlsxWriter writes in constant-memory mode for a row of numbers and
    plain text without formats: `<c r="B7" t="inlineStr"><is><t>…</t></is></c>` for text,
    `<c r="A7"><v>{number:.16G}</v></c>` for a number, nothing for None."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.starts: list[str] = []  # '<c r="A' per column: a cell's start but its row
        self._strings: dict[str, str | None] = {}
        # The rest of a number cell after its row, for the small integers most cells hold.
        self._numbers = {n: f'"><v>{n:.16G}</v></c>' for n in range(-1, 101)}

    def _starts(self, columns: int) -> list[str]:
        while len(self.starts) < columns:
            self.starts.append(f'<c r="{xl_col_to_name(len(self.starts))}')
        return self.starts

    def string(self, value: str) -> str | None:
        """The inner XML of a text cell (`<is>…</is>`), as XlsxWriter escapes it; None
        for text it would treat otherwise (too long, or rich text), left to XlsxWriter."""
        known = self._strings.get(value, False)
        if known is not False:
            return known
        cleaned = text(value)
        xml = None
        if len(cleaned) * 2 <= self.ws.xls_strmax and not (
            cleaned.startswith("<r>") and cleaned.endswith("</r>")
        ):
            escaped = self.ws._escape_data(self.ws._escape_control_characters(cleaned))
            space = ' xml:space="preserve"' if _preserve_whitespace(cleaned) else ""
            xml = f"<is><t{space}>{escaped}</t></is>"
        if len(value) <= CACHED_LENGTH and len(self._strings) < CACHE_LIMIT:
            self._strings[value] = xml
        return xml

    def cells(self, row: int, values: Sequence[object]) -> tuple[str, int, int] | None:
        """The cells of sheet row `row` (0-based) as XML with the first and last column
        written; None when a value needs XlsxWriter's own path (a boolean, NaN, …)."""
        r, parts, first, last = str(row + 1), [], -1, -1
        starts, numbers, string = self._starts(len(values)), self._numbers, self.string
        for col, value in enumerate(values):
            if value is None:
                continue
            kind = value.__class__
            if kind is int:
                rest = numbers.get(value) or f'"><v>{value:.16G}</v></c>'
            elif kind is float and math.isfinite(value):
                rest = f'"><v>{value:.16G}</v></c>'
            elif kind is str and (inner := string(value)) is not None:
                rest = f'" t="inlineStr">{inner}</c>'
            else:
                return None
            parts.append(starts[col] + r + rest)
            if first < 0:
                first = col
            last = col
        return "".join(parts), first, last


class StreamedSheet:
    """A sheet written row by row, top to bottom, with a bold frozen header row."""

    def __init__(self, book: StreamedWorkbook, title: str, header: Sequence[str]) -> None:
        self.ws = book.wb.add_worksheet(title)
        self.xml = RowXml(self.ws)
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
        values = list(values)
        written = None if cell_format is not None else self.xml.cells(self.row, values)
        if written is None:
            self._append_cells(values, cell_format)
        else:
            cells, first, last = written
            if first >= 0:
                self.raw(f'<row r="{self.row + 1}">{cells}</row>', 1, first, last)
            else:
                self.row += 1  # an empty row: XlsxWriter writes nothing for it either

    def _append_cells(self, values: Iterable[object], cell_format) -> None:
        """Through XlsxWriter's API, cell by cell (formats, booleans, the rare string)."""
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

    def raw(self, xml: str, rows: int, first_col: int, last_col: int) -> None:
        """`rows` finished `<row>` elements (from `RowXml`) starting at `self.row`, handed
        to XlsxWriter's row file in its place: a row still pending in XlsxWriter's table
        (the header) is written first, and the sheet's dimensions are kept."""
        ws, row = self.ws, self.row
        if ws.table:
            ws._write_single_row(row)
        ws.previous_row = row
        ws._check_dimensions(row, first_col)
        ws._check_dimensions(row + rows - 1, last_col)
        ws.fh.write(xml)
        self.row = ws.previous_row = row + rows

    def long_rows(self, response_id: int, demo: int, answers: Sequence[tuple[str, object]]):
        """Long-form rows (svar_id, statement code, value, demo) of one response, each
        answer a (code, value) pair, value None for "vet ej": numbers and item codes that
        the questionnaire validated as plain codes, so nothing needs neutralising."""
        if not answers:
            return
        if any(self.xml.string(code) is None for code, _value in answers):
            for code, value in answers:  # not a plain code after all: XlsxWriter's path
                self._append_cells([response_id, code, value, demo], None)
            return
        string, parts, r = self.xml.string, [], self.row
        head, tail = f"<v>{response_id:.16G}</v></c>", f'"><v>{demo:.16G}</v></c></row>'
        for code, value in answers:
            r += 1
            v = "" if value is None else f'<c r="C{r}"><v>{value:.16G}</v></c>'
            parts.append(
                f'<row r="{r}"><c r="A{r}">{head}<c r="B{r}" t="inlineStr">{string(code)}</c>'
                f'{v}<c r="D{r}{tail}'
            )
        self.raw("".join(parts), len(answers), 0, 3)


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
        token = _closing_level.set(DEFLATE_LEVEL)
        try:
            self.wb.close()
        finally:
            _closing_level.reset(token)
