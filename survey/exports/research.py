"""Researcher exports: the anonymised dataset as an Excel workbook (wide and long sheets,
codebook, metadata) or as CSV, from the record stream of survey.exports.dataset. No Flask.

The workbook is written by XlsxWriter in constant-memory mode (streamed_workbook: rows go
to temporary files, then into the zip), so memory stays flat. A sheet never holds more rows
than Excel can open (EXCEL_MAX_ROWS): the long form goes into the workbook only while it
fits, otherwise the sheet `Svar_lång` and `Metadata` say where it is (the research
package's CSV and Parquet).

Quasi-identifiers (förbund, role, agency) are recoded by default so that every combination
in the file holds at least k respondents (survey.exports.recoding); the recoding is decided
from SQL counts before the rows are streamed, applied to each row as it is written, and
listed in the Metadata sheet. Statement values are never changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from sqlalchemy.orm import Session

from survey.errors import ExportRefused
from survey.exports import agreement_sheet, codebook, recoding, worksheets
from survey.exports.dataset import (
    LANGUAGE,
    PROGRESS_STEP,
    Anonymiser,
    Export,
    Progress,
    ResponseRecord,
    comments_of,
    report_groups,
    research_questionnaire,
    stream_responses,
)
from survey.exports.metadata import metadata_rows
from survey.exports.recoding import Recoding
from survey.exports.selection import Selection
from survey.exports.streamed_workbook import StreamedSheet, StreamedWorkbook
from survey.exports.worksheets import csv_row
from survey.i18n import N_, translate
from survey.instruments.catalog import definition_of
from survey.instruments.questionnaire import Questionnaire
from survey.results import reliability

SEPARATORS = {"comma": ",", "semicolon": ";"}
#: How each sheet prints: landscape or portrait. Every sheet prints on A4, one page wide and
#: as many down as needed, its header row wrapped and repeated on every page
#: (streamed_workbook.StreamedSheet.printed).
LANDSCAPE = {
    "Svar": True,
    "Svar_lång": False,
    "Kommentarer": False,
    "Kodbok": True,
    "Metadata": False,
    "Reliabilitet": False,
    "Overensstammelse": False,
}
LONG_IN_PACKAGE = N_(
    "the research package (zip: /export/research.zip or survey export --out FILE.zip) holds "
    "it as svar_lang.csv and svar_lang.parquet"
)
LONG_BESIDE = N_("this package holds it as svar_lang.csv and svar_lang.parquet")
LONG_TOO_MANY = N_(
    "The long form has %(rows)s rows, more than the %(limit)s an Excel sheet holds, so it is "
    "not in this workbook: %(where)s."
)


LONG_NOT_HERE = N_(
    "The long form is not in this workbook (its wide form is, which keeps it fast to "
    "write): this package holds it as svar_lang.csv and svar_lang.parquet."
)


def long_form_notice(rows: int, limit: int, where: str, lang: str = LANGUAGE) -> str:
    """Why the workbook has no long form and where it is instead (`where`: LONG_*)."""
    return translate(
        lang, LONG_TOO_MANY, rows=f"{rows:,}", limit=f"{limit:,}", where=translate(lang, where)
    )


@dataclass
class WorkbookResult:
    responses: int
    long_rows: int  # rows the long form has (in the workbook or not)
    max_rows: int
    long_elsewhere: str | None  # LONG_*: set when the long form is not in the workbook

    @property
    def too_long(self) -> bool:
        return not worksheets.fits_a_sheet(self.long_rows, self.max_rows)

    def notice(self, lang: str = "en") -> str | None:
        """Where the long form is, when it is not in the workbook (None: it is)."""
        if self.long_elsewhere is None:
            return None
        if not self.too_long:  # left out by choice: the research package's wide workbook
            return translate(lang, LONG_NOT_HERE)
        return long_form_notice(self.long_rows, self.max_rows, self.long_elsewhere, lang)


class ResearchWorkbook:
    """The researcher's workbook, fed one record at a time so that one pass over the
    answers can feed every form of an export. No sheet exceeds `max_rows` rows."""

    def __init__(
        self,
        export: Export,
        out: IO[bytes] | str,
        *,
        long_rows: int,
        include_comments: bool = False,
        max_rows: int | None = None,
        long_elsewhere: str = LONG_IN_PACKAGE,
        wide_only: bool = False,
    ) -> None:
        max_rows = max_rows or worksheets.EXCEL_MAX_ROWS  # read now: a test may lower it
        if not worksheets.fits_a_sheet(export.plan.responses, max_rows):
            raise ExportRefused(
                f"{export.plan.responses} responses are more rows than an Excel sheet holds "
                f"({max_rows}): export the research package (.zip) or the CSV instead.",
                reason="too_many_rows",
            )
        self.export, self.max_rows = export, max_rows
        self.long_rows = long_rows
        self.long_fits = not wide_only and worksheets.fits_a_sheet(long_rows, max_rows)
        self.long_elsewhere = None if self.long_fits else long_elsewhere
        self.written = self.long_written = 0
        self.notice = self.result().notice(LANGUAGE)
        self.include_comments = include_comments
        self.item_codes = [codebook.column(i) for i in codebook.exported_items(export.q)]
        self.wb = StreamedWorkbook(out)
        self._sheets(include_comments)
        self.alpha = reliability.AlphaTally(export.q, export.k)

    def _sheets(self, include_comments: bool) -> None:
        """Every sheet exists from the start, in the order a reader sees them."""

        def sheet(title: str, header: Sequence[str], widths: list[float]) -> StreamedSheet:
            return self.wb.sheet(title, header, widths, LANDSCAPE[title])

        q = self.export.q
        widths = [13, 10, 18, 30, 16, 10, 6, *(8 for _ in self.item_codes)]
        self.wide = sheet("Svar", codebook.wide_columns(q), widths + [13] * len(q.dimensions))
        head = codebook.LONG_HEAD if self.long_fits else ("svar_lang",)
        self.long = sheet("Svar_lång", head, [12, 12, 8, 6] if self.long_fits else [120])
        if self.notice:
            self.long.append([self.notice])
        self.comments = (
            sheet("Kommentarer", codebook.COMMENT_HEAD, [12, 12, 80]) if include_comments else None
        )
        self.book = sheet("Kodbok", codebook.HEADER, [10, 16, 50, 50, 10, 10, 8, 50, 50, 40, 40])
        self.meta = sheet("Metadata", ("uppgift", "varde"), [28, 90])
        self.reliability = sheet("Reliabilitet", RELIABILITY_HEAD, [10, 16, 12, 14, 16, 16])
        self.agreement = sheet("Overensstammelse", agreement_sheet.HEAD, [10, 16, 12, 8, 12])

    def add(self, record: ResponseRecord) -> None:
        self.wide.append([*record.head, *record.values, *record.scores])
        self.written += 1
        self.alpha.add(record.round_id, record.values)
        if not self.long_fits:
            return
        answers = [
            (code, value)
            for code, value, answered in zip(
                self.item_codes, record.values, record.answered, strict=True
            )
            if answered
        ]
        self.long.long_rows(record.head[0], record.head[-1], answers)
        self.long_written += len(answers)
        if not worksheets.fits_a_sheet(self.long_written, self.max_rows):  # stored since counted
            raise ExportRefused("Answers were added during the export: run it again.")

    def finish(self, session: Session, now: dt.datetime | None = None) -> None:
        """The sheets written after the pass (comments, codebook, metadata, α), then save."""
        export = self.export
        selection, q, plan = export.selection, export.q, export.plan
        if self.comments is not None:
            for row in comments_of(session, selection, export.anonymiser, plan):
                self.comments.append(row)
        for variable in codebook.variables(
            q, selection.associations, self.include_comments, plan.recoded
        ):
            self.book.append(variable.row())
        described = metadata_rows(
            session, selection, export.q_row, plan, self.written, self.include_comments, now
        )
        for row in described:
            self.meta.append(row)
            if row and row[0] == codebook.ID:
                self.meta.append([translate(LANGUAGE, LONG_FORM), self._long_place()])
        for row in _reliability_rows(session, export, self.alpha):
            self.reliability.append(row)
        for row in agreement_sheet.agreement_rows(session, export):
            self.agreement.append(row)
        self.wb.close()

    def _long_place(self) -> str:
        if self.notice:
            return self.notice
        return translate(LANGUAGE, LONG_IN_SHEET, rows=f"{self.long_written:,}")

    def result(self) -> WorkbookResult:
        return WorkbookResult(self.written, self.long_rows, self.max_rows, self.long_elsewhere)


LONG_FORM = N_("long form (Svar_lång)")
LONG_IN_SHEET = N_("in the sheet Svar_lång (%(rows)s rows)")


def write_research_workbook(
    session: Session,
    selection: Selection,
    out: IO[bytes],
    *,
    k: int,
    recode: bool = True,
    include_comments: bool = False,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
    max_rows: int | None = None,
) -> WorkbookResult:
    """Svar (wide), Svar_lång (long, while it fits in `max_rows`), Kommentarer (only if
    asked), Kodbok, Metadata and Reliabilitet (Cronbach's α per round and dimension).

    `recode=False` writes förbund, role and agency as answered: only for a user allowed it.
    `max_rows` is Excel's limit (None: worksheets.EXCEL_MAX_ROWS); a test lowers it to reach
    it with a small selection.
    """
    export = Export.prepare(session, selection, k, recode)
    book = ResearchWorkbook(
        export,
        out,
        long_rows=export.long_rows(session),
        include_comments=include_comments,
        max_rows=max_rows,
    )
    for record in export.records(session, progress):
        book.add(record)
    book.finish(session, now)
    return book.result()


RELIABILITY_HEAD = tuple(v.name for v in codebook.RELIABILITY_VARIABLES)


def _reliability_rows(
    session: Session, export: Export, tally: reliability.AlphaTally
) -> Iterator[list[object]]:
    """α per round and dimension over respondents who rated every statement; empty where
    fewer than k did (the figure would describe too few people to mean anything). From the
    tally of the export's pass; rounds whose rows the file leaves out, from SQL."""
    rounds = {r.id: r for r in export.selection.rounds}
    left_out = list(export.plan.left_out)
    figures = tally.results()
    if left_out:
        figures += reliability.cronbach_alpha(session, left_out, export.k)
    for rel in sorted(figures, key=lambda rel: (rel.round_id, rel.dimension)):
        r = rounds[rel.round_id]
        yield [r.label, r.association_slug, rel.dimension, rel.n, rel.items, rel.alpha]


def research_csv(
    session: Session,
    selection: Selection,
    separator: str = ",",
    progress: Progress | None = None,
    *,
    k: int,
    recode: bool = True,
) -> Iterator[bytes]:
    """The columns of `Svar` as UTF-8 CSV with a byte order mark (so Excel shows åäö),
    recoded as the workbook is (`recode=False`: only for a user allowed it).

    With ';' as separator decimals get a comma, as Swedish Excel expects.
    """
    if separator not in SEPARATORS.values():
        raise ExportRefused("The CSV separator must be ',' or ';'.")
    q = definition_of(research_questionnaire(session, selection))
    plan = recoding.plan(session, selection, k, recode, report_groups(session))
    return _csv_chunks(session, selection, q, plan, separator, progress)


def csv_wide_row(record: ResponseRecord, decimal_comma: bool = False) -> list[object]:
    """One row of the wide form for `csv.writer`: text neutralised; scores are numbers
    written as text (a decimal comma for ';'), so they are not."""
    scores = [
        None if s is None else (repr(s).replace(".", ",") if decimal_comma else repr(s))
        for s in record.scores
    ]
    return [*csv_row(record.head), *record.values, *scores]  # values: numbers or None


def _csv_chunks(
    session: Session,
    selection: Selection,
    q: Questionnaire,
    plan: Recoding,
    separator: str,
    progress: Progress | None,
) -> Iterator[bytes]:
    decimal_comma = separator == ";"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator)
    writer.writerow(csv_row(codebook.wide_columns(q)))
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    records = stream_responses(session, selection, q, Anonymiser(), plan, progress)
    for n, record in enumerate(records, 1):
        writer.writerow(csv_wide_row(record, decimal_comma))
        if n % PROGRESS_STEP == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")
