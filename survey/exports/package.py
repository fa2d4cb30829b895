"""The research package: every form of one export in one zip, written from a single pass
over the answers, so `svar_id` and the row order are the same in all of them. No Flask here.

The parts are written to a temporary folder (each streamed: CSV rows, Parquet row groups,
XlsxWriter's constant-memory sheets; the SPSS, Stata and R files from compact code arrays, see
survey.exports.statistics) and then copied into the zip from disk, so memory stays flat
however large the selection.
"""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import compress, repeat
from pathlib import Path
from typing import IO

from sqlalchemy.orm import Session

from survey.exports import agreement_sheet, codebook, statistics_writer, worksheets
from survey.exports.columnar import ParquetForms
from survey.exports.dataset import Export, Progress
from survey.exports.metadata import metadata_rows
from survey.exports.research import (
    LONG_BESIDE,
    ResearchWorkbook,
    WorkbookResult,
    csv_wide_row,
)
from survey.exports.selection import Selection
from survey.exports.statistics import CodedColumns
from survey.exports.statistics_writer import StatisticsFiles
from survey.exports.worksheets import csv_row
from survey.i18n import N_, translate

#: The files of the package, in the order of its README, with what each holds.
FILES = {
    "svar.xlsx": N_("Excel workbook: Svar (wide), Kodbok, Metadata, Reliabilitet"),
    "svar.csv": N_("the wide form (as the sheet Svar), UTF-8, comma, decimal point"),
    "svar_lang.csv": N_("the long form: one row per stored answer (as the sheet Svar_lång)"),
    "svar.parquet": N_("the wide form, typed; the Metadata facts as key-value metadata"),
    "svar_lang.parquet": N_("the long form, typed"),
    "svar.sav": N_("SPSS: labels, value labels, missing values 8 and 9, measurement levels"),
    "svar.dta": N_("Stata: labels, value labels, extended missing values .a and .b"),
    "svar_koder.csv": N_("the codes of svar.sav as CSV, for R"),
    "svar.R": N_("R script: reads svar_koder.csv and applies labels and missing codes"),
    "kodbok.csv": N_("the codebook: every variable with labels in Swedish and English"),
    "overensstammelse.csv": N_(
        "rwg(j) per round, coordination association and dimension, with its n (empty below k)"
    ),
}
README_FILE = N_("this file: what each file holds, then every variable with its labels")
ABOUT_PACKAGE = N_(
    "Every file here comes from one export: svar_id and the row order are the same in all "
    "of them. Statements in svar.sav, svar.dta and svar_koder.csv: 1–5, 8 = don't know, "
    "9 = not answered (in Stata .a and .b); in the CSV, Parquet and Excel files both are an "
    "empty value and the long form tells them apart (don't know: a row with an empty value, "
    "not answered: no row). demo = 1 marks synthetic demo data."
)
NO_WORKBOOK = N_(
    "No workbook: %(rows)s responses are more rows than an Excel sheet holds; use the CSV "
    "or Parquet files."
)


@dataclass
class PackageResult:
    responses: int
    long_rows: int
    files: list[str]
    workbook: WorkbookResult | None  # None: too many responses for an Excel sheet

    def notice(self, lang: str = "en") -> str | None:
        """What is not in the workbook, and where it is instead (None: all is there)."""
        if self.workbook is None:
            return translate(lang, NO_WORKBOOK, rows=f"{self.responses:,}")
        return self.workbook.notice(lang) if self.workbook.too_long else None


def write_package(
    session: Session,
    selection: Selection,
    out: IO[bytes],
    *,
    k: int,
    recode: bool = True,
    include_comments: bool = False,
    lang: str = "sv",
    progress: Progress | None = None,
    now: dt.datetime | None = None,
    max_rows: int | None = None,
) -> PackageResult:
    """The zip of every form (`lang`: the language of the SPSS, Stata and R labels).
    `max_rows` is Excel's limit (None: worksheets.EXCEL_MAX_ROWS); a test lowers it to reach
    it with a small selection."""
    max_rows = max_rows or worksheets.EXCEL_MAX_ROWS
    now = now or dt.datetime.now(dt.UTC)
    export = Export.prepare(session, selection, k, recode)
    long_rows = export.long_rows(session)
    with tempfile.TemporaryDirectory(prefix="research-package-") as folder:
        tmp = Path(folder)
        book = None
        if worksheets.fits_a_sheet(export.plan.responses, max_rows):
            book = ResearchWorkbook(
                export,
                str(tmp / "svar.xlsx"),
                long_rows=long_rows,
                include_comments=include_comments,
                max_rows=max_rows,
                long_elsewhere=LONG_BESIDE,
                wide_only=True,  # the long form is in its CSV and Parquet files here
            )
        coded = _single_pass(session, export, tmp, book, lang, progress)
        with _statistics_beside(coded.files(), tmp) as statistics_written:
            if book is not None:
                book.finish(session, now)
            facts = metadata_rows(
                session, selection, export.q_row, export.plan, coded.rows, include_comments, now
            )
            described = {}
            for row in facts:
                if not row:
                    break
                described[str(row[0])] = row[1]
            coded.parquet.close(described)
            _codebook_csv(export, tmp / "kodbok.csv", include_comments)
            _agreement_csv(session, export, tmp / "overensstammelse.csv")
            files = [n for n in FILES if n in statistics_writer.FILES or (tmp / n).exists()]
            result = PackageResult(
                coded.rows, long_rows, ["README.txt", *files], book and book.result()
            )
            readme = _readme(coded, files, result.notice(lang), lang)
            (tmp / "README.txt").write_text(readme, encoding="utf-8")
            with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
                for name in ["README.txt", *files]:
                    if name in statistics_writer.FILES:
                        statistics_written()  # raises if the other process failed
                    archive.write(tmp / name, name, **_compression(name))
    return result


#: Workbooks and Parquet files are compressed already: deflating them again took a tenth
#: of the package's time and saved 3 %. The rest is deflated at level 1: about a quarter of
#: level 6's CPU time for files about 20 % larger (the unpacked files are the same).
BOM = "\ufeff"  # Excel then reads the CSV files as UTF-8
ALREADY_COMPRESSED = (".xlsx", ".parquet")
FAST_DEFLATE = {"compress_type": zipfile.ZIP_DEFLATED, "compresslevel": 1}


def _compression(name: str) -> dict[str, object]:
    if name.endswith(ALREADY_COMPRESSED):
        return {"compress_type": zipfile.ZIP_STORED}
    return FAST_DEFLATE


#: Responses from which the SPSS, Stata and R files are written by a second process while
#: this one finishes the workbook, Parquet and the zip (a tenth to a fifth of the package
#: on two cores). Below it, starting that process (about a second) costs more than it saves.
PARALLEL_FROM = 10_000
#: The second process runs this file alone (`-P`: its folder not on sys.path), not a
#: multiprocessing child: a spawned child imports the parent's main module again (the web
#: server's, the command line's, a script's: 120 MB and more) and fails in a script without
#: `if __name__ == "__main__"`; this one imports numpy, pandas and pyreadstat only.
WRITER = Path(statistics_writer.__file__)


@contextmanager
def _statistics_beside(files: StatisticsFiles, tmp: Path) -> Iterator[Callable[[], None]]:
    """Writes the statistics files into `tmp`: in a second process (not forked: a web
    server's threads would be copied mid-lock) when the export is large, else here and
    now. Yields `wait()`, which returns once they are written and raises if that failed."""
    if files.rows < PARALLEL_FROM:
        statistics_writer.write_files(files, tmp)
        yield lambda: None
        return
    job = statistics_writer.save(files, tmp)
    with (tmp / "statistics.log").open("w+b") as log:
        command = [sys.executable, "-P", str(WRITER), str(job)]
        process = subprocess.Popen(command, stdout=log, stderr=log)
        try:
            yield lambda: _finished(process, log)
        finally:
            if process.poll() is None:  # the export failed meanwhile: no need to finish
                process.kill()
                process.wait()


def _finished(process: subprocess.Popen, log: IO[bytes]) -> None:
    if process.wait() != 0:
        log.seek(0)
        said = log.read().decode("utf-8", errors="replace").strip().splitlines()
        raise RuntimeError(f"Writing the SPSS and Stata files failed: {said[-1:]}")


class _Columns(CodedColumns):
    parquet: ParquetForms


def _single_pass(
    session: Session,
    export: Export,
    tmp: Path,
    book: ResearchWorkbook | None,
    lang: str,
    progress: Progress | None,
) -> _Columns:
    """Streams the records once into the workbook, both CSVs, both Parquet files and the
    code arrays of the statistics files."""
    coded = _Columns(export, tmp / "columns", lang)
    coded.parquet = ParquetForms(export, tmp / "svar.parquet", tmp / "svar_lang.parquet", coded)
    item_codes = [codebook.column(item) for item in codebook.exported_items(export.q)]
    with (
        (tmp / "svar.csv").open("w", newline="", encoding="utf-8") as wide_fh,
        (tmp / "svar_lang.csv").open("w", newline="", encoding="utf-8") as long_fh,
    ):
        # The byte order mark written by hand: the "utf-8-sig" codec encodes in Python on
        # every write, a third of the long CSV's time; plain "utf-8" is encoded in C.
        wide_fh.write(BOM)
        long_fh.write(BOM)
        wide, long = csv.writer(wide_fh), csv.writer(long_fh)
        wide.writerow(codebook.wide_columns(export.q))
        long.writerow(codebook.LONG_HEAD)
        for record in export.records(session, progress):
            if book is not None:
                book.add(record)
            wide.writerow(csv_wide_row(record))
            response_id, demo = record.head[0], record.head[-1]
            long.writerows(  # (id, code, value, demo) per stored answer, built in C
                zip(
                    repeat(response_id),
                    compress(item_codes, record.answered),
                    compress(record.values, record.answered),
                    repeat(demo),
                )
            )
            coded.add(record)
            coded.parquet.follow()  # a row group cut from the columns every BATCH responses
    coded.parquet.flush()  # the last row group; every row is on disk for the statistics files
    return coded


def _codebook_csv(export: Export, path: Path, include_comments: bool) -> None:
    variables = codebook.variables(
        export.q, export.selection.associations, include_comments, export.plan.recoded
    )
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(codebook.HEADER)
        writer.writerows(csv_row(v.row()) for v in variables if v.sheet != "Kommentarer")


def _agreement_csv(session: Session, export: Export, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(agreement_sheet.HEAD)
        writer.writerows(csv_row(row) for row in agreement_sheet.agreement_rows(session, export))


def _readme(coded: CodedColumns, files: list[str], notice: str | None, lang: str) -> str:
    lines = [translate(lang, ABOUT_PACKAGE), ""]
    if notice:
        lines += [notice, ""]
    lines.append(f"README.txt: {translate(lang, README_FILE)}")
    lines += [f"{name}: {translate(lang, FILES[name])}" for name in files]
    lines.append("")
    measures = coded.measures()
    values = coded.value_labels()
    for name, label in coded.variable_labels().items():
        lines.append(f"{name} ({measures.get(name, '')}): {label}")
        if name in values:
            pairs = "; ".join(f"{code} = {text}" for code, text in values[name].items())
            lines.append(f"    {pairs}")
    return "\n".join(lines) + "\n"
