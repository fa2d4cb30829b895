"""Reading an uploaded CSV or Excel file into a table of text cells, safely.

The file comes from an administrator's machine, so the reader refuses, with a fault that
says why, anything that is not plainly a table of the size an earlier round can have: too
many bytes or rows, a file that is not what its name says (an .xlsx renamed .csv, an old
.xls, a PDF), text that is not UTF-8 (a Windows-1252 file, whose å, ä and ö would break),
control characters, and for .xlsx the defences of a zip archive (entries, total unpacked
size, compression ratio: a zip bomb) and of XML (a DOCTYPE, which entity expansion needs;
no spreadsheet has one). Only then does openpyxl read it, read-only.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from survey.i18n import N_
from survey.imports.faults import Fault, FileRefused

#: Largest file accepted, in bytes: 10,000 respondents × 60 columns is about 1.5 MB as CSV.
MAX_FILE_BYTES = 8 * 1024 * 1024
#: Most respondents (data rows) in one file: several times any förbund's round. At 20,000
#: (measured on the shared 2-core machine) an import took 26 s and 280 MB, and publishing
#: it on PostgreSQL (which mixes the whole round in memory) 70 s and 650 MB.
MAX_ROWS = 10_000
#: Most columns: the questionnaire's statements and levels, background and a tool's own.
MAX_COLUMNS = 500
#: An .xlsx archive: at most this many entries, this many bytes unpacked in all, and no
#: entry packed more than MAX_RATIO times (a zip bomb packs a thousand times or more).
MAX_ENTRIES = 200
MAX_UNPACKED = 100 * 1024 * 1024
MAX_RATIO = 200

SUFFIXES = (".csv", ".txt", ".xlsx")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: UTF-8 read as Windows-1252 and saved again as UTF-8: "Ã¥" for å, "Ã¤" for ä …
_MOJIBAKE = re.compile("Ã[\u0080-\u00bf\u2018-\u203a\u0152-\u0178]")


@dataclass(frozen=True)
class Table:
    """The heading row and the data rows (each with its row number as a spreadsheet shows
    it: the heading is row 1), every cell as text ("" for an empty one)."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def _refuse(template: str, row: int | None = None, column: str = "", **values: object) -> None:
    raise FileRefused(Fault(row, column, template, dict(values)))


def read_table(data: bytes, filename: str) -> Table:
    """The table in `data`, read as its name's suffix says; FileRefused when it cannot be."""
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in SUFFIXES:
        _refuse(
            N_("the file %(file)s is neither CSV (.csv) nor Excel (.xlsx)"), file=filename or "-"
        )
    if len(data) > MAX_FILE_BYTES:
        _refuse(
            N_("the file is too large: %(size)s kB, at most %(limit)s kB"),
            size=-(-len(data) // 1024),
            limit=MAX_FILE_BYTES // 1024,
        )
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        _refuse(N_("the file is empty"))
    _check_kind(data, suffix)
    rows = _read_xlsx(data) if suffix == ".xlsx" else _read_csv(_text(data))
    return _table(rows)


def _check_kind(data: bytes, suffix: str) -> None:
    """A file that is not what its name says, told by its first bytes."""
    is_zip = data.startswith(b"PK\x03\x04")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        _refuse(N_("the file is in the old Excel format (.xls): save it as .xlsx or as CSV UTF-8"))
    if data.startswith(b"%PDF"):
        _refuse(N_("the file is a PDF, not a table: export the data as CSV or .xlsx"))
    if suffix == ".xlsx" and not is_zip:
        _refuse(N_("the file is called .xlsx but is not an Excel workbook"))
    if suffix != ".xlsx" and is_zip:
        _refuse(
            N_(
                "the file is called %(suffix)s but is a zip archive (an Excel workbook?): "
                "call it .xlsx, or save it as CSV UTF-8"
            ),
            suffix=suffix,
        )


def _text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        _refuse(N_("the file is UTF-16 (Excel's 'Unicode text'): save it as CSV UTF-8"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data.count(b"\n", 0, exc.start) + 1
        guess = bytes([data[exc.start]]).decode("cp1252", errors="replace")
        _refuse(
            N_(
                "the file is not UTF-8: the byte %(byte)s (%(char)s in Windows-1252) would "
                "break å, ä and ö; save it as 'CSV UTF-8' in Excel, or export it as UTF-8"
            ),
            row=row,
            byte=f"0x{data[exc.start]:02X}",
            char=guess,
        )
    if "\x00" in text:
        _refuse(N_("the file holds NUL bytes: it is not a text file"))
    return text


def _read_csv(text: str) -> Iterator[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        _refuse(N_("the CSV cannot be read: %(reason)s"), row=reader.line_num, reason=str(exc))


def _read_xlsx(data: bytes) -> Iterator[list[str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        _refuse(N_("the file is called .xlsx but is not an Excel workbook"))
    _check_archive(archive, entries)
    import openpyxl  # imported here: reading CSV needs none of it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in values]
    except FileRefused:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        _refuse(N_("the Excel workbook cannot be read: %(reason)s"), reason=type(exc).__name__)


def _check_archive(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names:
        _refuse(N_("the file is called .xlsx but is not an Excel workbook"))
    if len(entries) > MAX_ENTRIES:
        _refuse(
            N_("the workbook has too many parts (%(n)s, at most %(limit)s)"),
            n=len(entries),
            limit=MAX_ENTRIES,
        )
    unpacked = sum(e.file_size for e in entries)
    ratio = max((e.file_size / max(e.compress_size, 1) for e in entries), default=0)
    if unpacked > MAX_UNPACKED or ratio > MAX_RATIO:
        _refuse(
            N_(
                "the workbook unpacks to %(size)s MB (packed up to %(ratio)s times): refused "
                "as a possible zip bomb; at most %(limit)s MB"
            ),
            size=unpacked // (1024 * 1024),
            ratio=int(ratio),
            limit=MAX_UNPACKED // (1024 * 1024),
        )
    for entry in entries:
        if entry.filename.endswith((".xml", ".rels")):
            with archive.open(entry) as part:
                if b"<!DOCTYPE" in part.read(4096).upper().replace(b"<!doctype", b"<!DOCTYPE"):
                    _refuse(
                        N_(
                            "the workbook's XML declares a DOCTYPE, which no spreadsheet "
                            "needs (entity expansion): refused"
                        )
                    )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(rows: Iterator[list[str]]) -> Table:
    header: list[str] | None = None
    body: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(rows, 1):
        if header is None:
            header = [c.strip() for c in cells]
            while header and not header[-1]:
                header.pop()  # Excel's trailing empty columns
            if len(header) > MAX_COLUMNS:
                _refuse(
                    N_("too many columns: %(n)s, at most %(limit)s"),
                    row=1,
                    n=len(header),
                    limit=MAX_COLUMNS,
                )
            continue
        if not any(c.strip() for c in cells):
            continue  # a blank line (trailing lines of a spreadsheet)
        if len(body) >= MAX_ROWS:
            _refuse(
                N_("too many rows: more than %(limit)s respondents in one file"),
                row=number,
                limit=MAX_ROWS,
            )
        body.append((number, [c.strip() for c in cells]))
    if not header:
        _refuse(N_("the file is empty"))
    if not body:
        _refuse(N_("the file has a heading row but no respondents"), row=1)
    _check_characters(header, body)
    return Table(header, body)


def _check_characters(header: list[str], body: list[tuple[int, list[str]]]) -> None:
    for number, cells in [(1, header), *body]:
        for position, cell in enumerate(cells):
            column = header[position] if position < len(header) else ""
            if _CONTROL.search(cell):
                _refuse(N_("a control character in the cell"), row=number, column=column)
            if _MOJIBAKE.search(cell):
                _refuse(
                    N_(
                        "the text '%(text)s' is å, ä or ö broken by a wrong encoding (UTF-8 "
                        "read as Windows-1252): export the file again as UTF-8"
                    ),
                    row=number,
                    column=column,
                    text=cell[:40],
                )
