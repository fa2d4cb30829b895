"""The research workbook writes most rows as the XML XlsxWriter would write for them
(streamed_workbook.RowXml), skipping its per-cell calls: the sheets must be the same bytes
as XlsxWriter's own cell-by-cell path, whatever the values."""

from __future__ import annotations

import io
import zipfile
import zlib

from survey.exports.streamed_workbook import DEFLATE_LEVEL, StreamedWorkbook

ROWS = [
    [4_503_599_627_370_495, "2026", "norrsund", "Norrsunds samordningsförbund", "chef", None, 0],
    [17, '=HYPERLINK("x")', " leading", "trailing ", 'a & b <c> "d"', "_x0041_", 1],
    [1, "line\r\nbreak", "tab\there", "bell\x07gone", "", "–åäö", 1 / 3, 4.0, -2.5e-9, 1e20],
    [None, None, 3, None, "@SUM(A1)", "+1", "-1"],
    [],
    [2, True, "<r>rich?</r>", 5],  # a boolean and rich-looking text: XlsxWriter's own path
    ["x" * 20_000, 1],  # longer than the XML fast path takes
]
LONG = [(9, 0, [("STRAT1", 4), ("STRAT2", None), ("LED3", 1)]), (10, 1, []), (11, 1, [("X", 5)])]


def sheet_xml(fast: bool) -> bytes:
    out = io.BytesIO()
    book = StreamedWorkbook(out)
    wide = book.sheet("Svar", ["svar_id", "omgang", "text"], [10, 10, 10], landscape=True)
    long = book.sheet("Svar_lång", ["svar_id", "pastaende", "varde", "demo"], [10] * 4, False)
    for row in ROWS:
        if fast:
            wide.append(row)
        else:
            wide._append_cells(row, None)
    for response_id, demo, answers in LONG:
        if fast:
            long.long_rows(response_id, demo, answers)
        else:
            for code, value in answers:
                long._append_cells([response_id, code, value, demo], None)
    wide.append(["after the fast rows", 1])
    book.close()
    with zipfile.ZipFile(out) as archive:
        return b"".join(archive.read(f"xl/worksheets/sheet{n}.xml") for n in (1, 2))


def test_rows_written_as_xml_are_the_bytes_xlsxwriter_writes():
    fast, slow = sheet_xml(fast=True), sheet_xml(fast=False)
    assert b"inlineStr" in fast and b'<dimension ref="A1:J' in fast
    assert fast == slow


def test_the_parts_are_deflated_at_the_chosen_level():
    out = io.BytesIO()
    book = StreamedWorkbook(out)
    sheet = book.sheet("Svar", ["svar_id", "varde"], [10, 10], landscape=True)
    for n in range(5000):
        sheet.append([n, n % 5 + 1])
    book.close()
    with zipfile.ZipFile(out) as archive:
        part = archive.getinfo("xl/worksheets/sheet1.xml")
        data = archive.read(part)
    deflate = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    assert part.compress_size == len(deflate.compress(data) + deflate.flush())
    default = zlib.compressobj(6, zlib.DEFLATED, -15)
    assert part.compress_size != len(default.compress(data) + default.flush())
