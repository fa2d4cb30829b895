"""The import use case: a dry run, or the import in one unit of work. The command line, the
admin page and the tests call `import_round` unchanged.

A dry run reads and checks everything and writes nothing; the report lists every fault
with its row and column and what would be written. An import writes only when the file has
no fault, or when `skip_invalid` is chosen (then the report lists the rows left out); the
round, its responses and the audit event are one transaction, so a failure leaves nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.db import audit, models
from survey.db.engine import transaction
from survey.errors import ExportRefused
from survey.i18n import N_
from survey.imports import validation
from survey.imports.faults import Fault, FileRefused
from survey.imports.layout import round_csv
from survey.imports.mapping import read_mapping
from survey.imports.sources import read_table
from survey.imports.writing import write_round
from survey.instruments.catalog import definition_of, find_questionnaire
from survey.results.gate import published_rounds
from survey.rounds.associations import find_association
from survey.rounds.lifecycle import LABEL_RE, round_by_name


@dataclass(frozen=True)
class ImportRequest:
    """What to import and where: the file's bytes and name, the förbund (slug), the new
    round's label, the questionnaire (KEY:VERSION), and a mapping file for another tool's
    codes (LimeSurvey), and the round's dates if known (they place it in time order)."""

    data: bytes
    filename: str
    association: str
    label: str
    questionnaire: str
    mapping: bytes | None = None
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None
    #: How many were invited (N of the intervals' finite-population correction), if known.
    invited: int | None = None


@dataclass
class ImportReport:
    filename: str
    association: str  # the förbund's name
    label: str
    questionnaire: str  # KEY:VERSION
    rows: int = 0  # respondents (data rows) in the file
    responses: int = 0  # what is (or would be) written
    answers: int = 0
    faults: list[Fault] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # rows left out (skip_invalid)
    written: bool = False

    @property
    def valid(self) -> bool:
        return not self.faults


def import_round(
    session: Session,
    request: ImportRequest,
    *,
    write: bool = False,
    skip_invalid: bool = False,
    actor: str | None = None,
    now: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check the file (always) and, when `write` is asked and allowed, store the round. A
    dry run only reads (no write lock: answering goes on meanwhile)."""
    if not write:
        try:
            return _check(session, request, skip_invalid, progress)[0]
        finally:
            session.rollback()
    with transaction(session):
        report, rows = _check(session, request, skip_invalid, progress)
        if not rows:
            return report
        association = find_association(session, request.association)
        at = now or audit.utcnow()
        rnd = write_round(
            session,
            association,
            find_questionnaire(session, request.questionnaire),
            request.label,
            rows,
            source=request.filename,
            actor=actor,
            at=at,
            opens_on=request.opens_on,
            closes_on=request.closes_on,
            invited=request.invited,
            progress=progress,
        )
        audit.record(
            session,
            actor,
            "round_imported",
            f"{association.slug}/{rnd.label}",
            at=at,
            name=request.filename[:200],  # the file it came from
            questionnaire=report.questionnaire,
            count=report.responses,
            answers=report.answers,
            skipped_rows=len(report.skipped),
        )
        report.written = True
        return report


def _check(
    session: Session,
    request: ImportRequest,
    skip_invalid: bool,
    progress: Callable[[int], None] | None,
) -> tuple[ImportReport, list[validation.ParsedRow]]:
    """The report, and the rows to write: none unless the file has no fault, or only
    faulty rows and `skip_invalid` (a fault of the file or the target always stops it)."""
    association = find_association(session, request.association)
    q_row = find_questionnaire(session, request.questionnaire)
    report = ImportReport(
        request.filename, association.name, request.label, f"{q_row.key}:{q_row.version}"
    )
    report.faults.extend(_target_faults(session, association, request.label))
    checked = _checked(request, q_row, report, progress)
    report.responses = len(checked.rows)
    report.answers = sum(len(row.answers) for row in checked.rows)
    if request.invited is not None and request.invited < max(report.rows, 1):
        report.faults.append(_too_few_invited(request.invited, report.rows))
    file_faults = [f for f in report.faults if f.row is None or f.row == 1]
    if skip_invalid and not file_faults:
        report.skipped = list(checked.invalid_rows)
    allowed = not report.faults or (skip_invalid and not file_faults)
    return report, checked.rows if allowed else []


def _too_few_invited(invited: int, rows: int) -> Fault:
    return Fault(
        None,
        "",
        N_("%(invited)s invited is fewer than the %(rows)s respondents in the file"),
        {"invited": invited, "rows": rows},
    )


def _target_faults(session: Session, association: models.Association, label: str) -> list[Fault]:
    if not LABEL_RE.match(label):
        return [
            Fault(
                None,
                "",
                N_(
                    "'%(label)s' is not a usable round label: use letters, "
                    "digits, '.', '_' or '-', e.g. 2019"
                ),
                {"label": label},
            )
        ]
    taken = select(models.Round.id).filter_by(association_id=association.id, label=label)
    if session.scalar(taken) is not None:
        return [
            Fault(
                None,
                "",
                N_("%(name)s already has a round '%(label)s'"),
                {"name": association.name, "label": label},
            )
        ]
    return []


def _checked(
    request: ImportRequest,
    q_row: models.Questionnaire,
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> validation.Checked:
    q = definition_of(q_row)
    try:
        table = read_table(request.data, request.filename)
        if request.mapping is not None:
            statements = set(validation.statement_columns(q).values())
            table = read_mapping(request.mapping).apply(table, statements)
    except FileRefused as exc:
        report.faults.append(exc.fault)
        return validation.Checked()
    report.rows = len(table.rows)
    checked = validation.check(table, q, progress)
    report.faults.extend(checked.faults)
    return checked


def export_rows(
    session: Session, association: str, label: str, out: BinaryIO, *, actor: str | None
) -> tuple[int, int | None]:
    """Write a round's responses in the import layout to `out` (not recoded: for whoever
    may read row-level data), and who did it to the audit log; returns how many, and how
    many were invited (the round's N, which an import takes as `invited`)."""
    with transaction(session):
        rnd = round_by_name(session, association, label)
        if session.scalar(published_rounds().where(models.Round.id == rnd.id)) is None:
            raise ExportRefused(f"round {association}/{label} is not published: nothing exported")
        count = -1  # the heading row is no response
        for chunk in round_csv(session, rnd):
            out.write(chunk)
            count += 1
        audit.record(session, actor, "rows_exported", f"{association}/{label}", count=count)
        return count, rnd.invited
