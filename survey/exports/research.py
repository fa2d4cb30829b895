"""Researcher exports: the anonymised dataset as an Excel workbook (wide and long sheets,
codebook, metadata) or as CSV. No Flask here.

Memory stays flat however large the selection: answers are streamed from SQL in response
order (`yield_per`), one row per response is written and forgotten, and the workbook is
written by openpyxl in write-only mode (rows go to temporary files, then into the zip).

Quasi-identifiers (förbund, role, agency) are recoded by default so that every combination
in the file holds at least k respondents (survey.exports.recoding); the recoding is decided
from SQL counts before the rows are streamed, applied to each row as it is written, and
listed in the Metadata sheet. Statement values are never changed.

Response ids are export-local: a keyed permutation of the database id with a random key
that is thrown away after the export, so ids are unique within one export, cannot be joined
across exports and reveal nothing about the database. Rows are ordered by round and förbund
and then shuffled (by a random multiplier modulo a prime), so the row order does not tell
who started answering first either.
"""

from __future__ import annotations

import csv
import datetime as dt
import hmac
import io
import secrets
from collections.abc import Callable, Iterator
from itertools import groupby
from typing import IO, Any, NamedTuple

from openpyxl import Workbook
from sqlalchemy import BigInteger, ColumnElement, Select, and_, case, cast, literal, select
from sqlalchemy.orm import Session

from survey.db import models
from survey.errors import ExportRefused
from survey.exports import codebook, recoding
from survey.exports.recoding import Recoding
from survey.exports.selection import Selection, response_counts
from survey.exports.worksheets import csv_row, header_sheet, safe, text_cell
from survey.i18n import N_, translate
from survey.instruments.catalog import definition_of
from survey.instruments.questionnaire import Questionnaire
from survey.results import scoring

Progress = Callable[[int], None]
#: How each sheet prints: landscape or portrait. Every sheet prints on A4, one page wide and
#: as many down as needed, its header row wrapped and repeated on every page
#: (worksheets.header_sheet → worksheets.print_setup): the research workbook's print
#: settings, all in these two places.
LANDSCAPE = {
    "Svar": True,
    "Svar_lång": False,
    "Kommentarer": False,
    "Kodbok": True,
    "Metadata": False,
    "Reliabilitet": False,
}
PROGRESS_STEP = 500  # responses between progress callbacks
SEPARATORS = {"comma": ",", "semicolon": ";"}
#: The workbook's prose (Metadata, SCORING_RULES) is Swedish, like its sheet and variable
#: names; the codebook beside it has both languages.
LANGUAGE = "sv"
SCORING_RULES = N_(
    "Reverse statements are recoded (6 − x) before anything else is computed. The dimension "
    "score is the mean of the answered statements and exists only when at least half of the "
    "dimension's statements were answered. Don't know is a missing value, never 0."
)
ABOUT_K = N_(
    "Aggregates (pages, board export) do not show groups with fewer than k answers, and the "
    "row-level sheets here are protected the same way unless the file says it is not recoded."
)
RECODED = N_(
    "recoded: förbund, role and agency are coarsened to ovrig until every combination of "
    "round, förbund, role and agency in the file holds at least k respondents; statement "
    "values are unchanged. The recodings are listed below."
)
UNRECODED = N_(
    "NOT recoded: förbund, role and agency as answered, so the file holds groups with fewer "
    "than k respondents. Only for use under an approved agreement; do not pass it on."
)
ABOUT_POOLS = N_(
    "A förbund with fewer than k responses in a round is published as förbund ovrig, pooled "
    "with the others of that round, when the pool holds at least k responses and the export "
    "includes all of it; otherwise its responses are left out (listed as such below)."
)
POOLED_NAME = N_("Other coordination associations (each with fewer than k responses)")
NOT_ANSWERED = N_("(not answered)")
LEFT_OUT = N_("left out")
ABOUT_IDS = N_(
    "Random for this export (unique here, cannot be linked to other exports or to the "
    "database). The row order is random too within round and association."
)
RECODING_COLUMNS = (
    N_("round"),
    N_("coordination association"),
    N_("variable"),
    N_("value as answered"),
    N_("value in the file"),
    N_("respondents"),
)
ROUND_COLUMNS = (
    N_("round"),
    N_("coordination association"),
    N_("coordination association's name"),
    N_("questionnaire"),
    N_("version"),
    N_("status"),
    N_("responses"),
)


def report_groups(session: Session) -> Callable[[int], recoding.Merges]:
    """The questionnaire's merges of roles and of agencies, by questionnaire id: recoding
    moves a rare choice into its report group before it gives up the value."""

    def of(questionnaire_id: int) -> recoding.Merges:
        q = definition_of(session.get_one(models.Questionnaire, questionnaire_id))
        return q.group_of("role"), q.group_of("agency")

    return of


def research_questionnaire(session: Session, selection: Selection) -> models.Questionnaire:
    """The questionnaire version whose texts label the wide sheet (the newest selected).

    Versions may share one wide sheet only when they ask the same statements: the same item
    codes, each in the same dimension with the same reverse flag (otherwise a column or a
    dimension score would mean different things in different rows).
    """
    ids = sorted({r.questionnaire_id for r in selection.rounds})
    rows = session.execute(
        select(
            models.Item.questionnaire_id,
            models.Item.code,
            models.Dimension.code,
            models.Item.reverse,
        )
        .join(models.Dimension, models.Dimension.id == models.Item.dimension_id)
        .where(models.Item.questionnaire_id.in_(ids))
    )
    shapes: dict[int, set[tuple[str, str, bool]]] = {qid: set() for qid in ids}
    for qid, item, dimension, reverse in rows:
        shapes[qid].add((item, dimension, bool(reverse)))
    questionnaires = sorted(
        (session.get(models.Questionnaire, qid) for qid in ids), key=lambda q: (q.key, q.version)
    )
    newest = questionnaires[-1]
    differing = sorted(
        {code for q in questionnaires for code, *_ in shapes[q.id] ^ shapes[newest.id]}
    )
    if differing:
        names = ", ".join(f"{q.key} v{q.version}" for q in questionnaires)
        codes = ", ".join(differing[:10]) + (" …" if len(differing) > 10 else "")
        raise ExportRefused(
            f"The selected rounds use questionnaire versions whose statements differ ({names}; "
            f"statements that differ: {codes}). One wide sheet cannot hold them: "
            "export one version at a time (filter on the questionnaire version).",
            reason="mixed_versions",
            versions=names,
            statements=codes,
        )
    return newest


class Anonymiser:
    """Export-local response ids and row order, from keys that live only for one export."""

    PRIME = 2_147_483_647  # 2^31 − 1
    HALF = 26  # response keys have 52 bits (models.random_key): two halves of 26

    def __init__(self) -> None:
        self._key = secrets.token_bytes(16)
        self._multiplier = secrets.randbelow(self.PRIME - 2) + 2

    def id(self, response_id: int) -> int:
        """A four-round Feistel permutation of 52-bit numbers keyed by HMAC: a bijection,
        so ids never collide, and without the key the database key cannot be recovered.
        52 bits stay exact in Excel, SPSS and JavaScript, whose numbers are doubles."""
        mask = (1 << self.HALF) - 1
        if not 0 <= response_id < 1 << (2 * self.HALF):
            raise ValueError("response id out of range")
        left, right = response_id >> self.HALF, response_id & mask
        for step in range(4):
            digest = hmac.digest(self._key, bytes((step,)) + right.to_bytes(4, "big"), "sha256")
            left, right = right, left ^ (int.from_bytes(digest[:4], "big") & mask)
        return (left << self.HALF) | right

    def row_order(self) -> ColumnElement[int]:
        """A per-export shuffle of responses (reduced first, so the product fits a BIGINT)."""
        reduced = cast(models.Response.id, BigInteger) % self.PRIME
        return (reduced * self._multiplier) % self.PRIME


class ResponseRecord(NamedTuple):
    head: list[object]  # svar_id, omgang, forbund, forbund_namn, roll, part
    values: list[int | None]  # raw 1–5 per item; None = vet ej or not answered
    answered: list[bool]  # False where the item has no answer row at all
    scores: list[float | None]


def _published_association(plan: Recoding) -> ColumnElement[str]:
    """The förbund code as the file shows it. Rows are ordered (and shuffled) within it, so
    the rows of a pool are mixed rather than lying förbund by förbund in slug order."""
    if not plan.pooled:
        return models.Association.slug
    return case(
        (models.Round.id.in_(sorted(plan.pooled)), literal(codebook.OTHER)),
        else_=models.Association.slug,
    )


def _exported(plan: Recoding, selection: Selection) -> ColumnElement[bool]:
    """Submitted responses of the selected rounds whose rows the file holds."""
    return models.Response.round_id.in_(plan.kept(selection.round_ids))


def _answer_rows(
    selection: Selection, anonymiser: Anonymiser, plan: Recoding
) -> Select[tuple[Any, ...]]:
    """One row per stored answer of the exported responses (one empty row for a response
    without answers) with its dimension score, in the file's row order; the first column is
    the shuffle key, distinct per response."""
    scores = (
        scoring.respondent_scores()
        .where(models.Response.round_id.in_(selection.round_ids))
        .subquery()
    )
    order = anonymiser.row_order().label("row_order")
    return (
        select(
            order,
            models.Response.id,
            models.Response.round_id,
            models.Round.label,
            models.Association.slug,
            models.Association.name,
            models.Response.role,
            models.Response.agency,
            models.Item.code,
            models.Answer.value,
            scores.c.dimension,
            scores.c.score,
        )
        .select_from(models.Response)
        .join(models.Round, models.Round.id == models.Response.round_id)
        .join(models.Association, models.Association.id == models.Round.association_id)
        .outerjoin(models.Answer, models.Answer.response_id == models.Response.id)
        .outerjoin(models.Item, models.Item.id == models.Answer.item_id)
        .outerjoin(models.Dimension, models.Dimension.id == models.Item.dimension_id)
        .outerjoin(
            scores,
            and_(
                scores.c.response_id == models.Response.id,
                scores.c.dimension == models.Dimension.code,
            ),
        )
        .where(_exported(plan, selection))
        .order_by(models.Round.label, _published_association(plan), order)
        .execution_options(yield_per=2000)
    )


def stream_responses(
    session: Session,
    selection: Selection,
    q: Questionnaire,
    anonymiser: Anonymiser,
    plan: Recoding,
    progress: Progress | None = None,
) -> Iterator[ResponseRecord]:
    """One record per exported response, streamed from a single ordered SQL query, its
    förbund, role and agency as `plan` publishes them.

    Each answer row carries its dimension score from `scoring.respondent_scores()`, joined in
    SQL, so nothing but the current response is held in memory.
    """
    item_pos = {item.code: i for i, item in enumerate(q.items())}
    dim_pos = {dim.code: i for i, dim in enumerate(q.dimensions)}
    pooled_name = translate(LANGUAGE, POOLED_NAME)
    done = 0
    rows_in_order = session.execute(_answer_rows(selection, anonymiser, plan))
    for _key, rows in groupby(rows_in_order, key=lambda row: row[0]):
        values: list[int | None] = [None] * len(item_pos)
        answered = [False] * len(item_pos)
        dim_scores: list[float | None] = [None] * len(dim_pos)
        for row in rows:
            pos = item_pos.get(row.code)
            if pos is not None:
                values[pos], answered[pos] = row.value, True
            if row.dimension in dim_pos and row.score is not None:
                dim_scores[dim_pos[row.dimension]] = float(row.score)
        published = plan.publish(row.round_id, row.slug, row.role, row.agency)
        if published is None:
            continue  # submitted after the recoding was decided (see Recoding.publish)
        slug, role, agency = published
        name = pooled_name if row.round_id in plan.pooled else row.name
        head = [anonymiser.id(row.id), row.label, slug, name, role, agency]
        yield ResponseRecord(head, values, answered, dim_scores)
        done += 1
        if progress and done % PROGRESS_STEP == 0:
            progress(PROGRESS_STEP)
    if progress and done % PROGRESS_STEP:
        progress(done % PROGRESS_STEP)


def _comments(
    session: Session, selection: Selection, anonymiser: Anonymiser, plan: Recoding
) -> Iterator[list]:
    """The comments of the exported responses, in the order of their rows in Svar (left
    out with their response where `plan` leaves it out)."""
    order = anonymiser.row_order()
    stmt = (
        select(
            models.Response.id,
            models.Dimension.code,
            models.Comment.text,
            models.Response.round_id,
            models.Association.slug,
            models.Response.role,
            models.Response.agency,
        )
        .join(models.Comment, models.Comment.response_id == models.Response.id)
        .join(models.Dimension, models.Dimension.id == models.Comment.dimension_id)
        .join(models.Round, models.Round.id == models.Response.round_id)
        .join(models.Association, models.Association.id == models.Round.association_id)
        .where(_exported(plan, selection))
        .order_by(
            models.Round.label, _published_association(plan), order, models.Dimension.position
        )
        .execution_options(yield_per=2000)
    )
    for response_id, dimension, text, *quasi in session.execute(stmt):
        if plan.publish(*quasi) is not None:
            yield [anonymiser.id(response_id), dimension, text]


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
) -> int:
    """Svar (wide), Svar_lång (long), Kommentarer (only if asked), Kodbok, Metadata and
    Reliabilitet (Cronbach's α per round and dimension). Returns the responses written.

    `recode=False` writes förbund, role and agency as answered: only for a user allowed it.
    """
    q_row = research_questionnaire(session, selection)
    q = definition_of(q_row)
    plan = recoding.plan(session, selection, k, recode, report_groups(session))
    anonymiser = Anonymiser()
    item_codes = [item.code for item in q.items()]
    wb = Workbook(write_only=True)
    widths = [13, 10, 18, 30, 16, 10, *(8 for _ in item_codes), *(13 for _ in q.dimensions)]
    wide = header_sheet(wb, "Svar", codebook.wide_columns(q), widths, LANDSCAPE["Svar"])
    long = header_sheet(wb, "Svar_lång", codebook.LONG_HEAD, [12, 12, 8], LANDSCAPE["Svar_lång"])
    comments = (
        header_sheet(
            wb, "Kommentarer", codebook.COMMENT_HEAD, [12, 12, 80], LANDSCAPE["Kommentarer"]
        )
        if include_comments
        else None
    )
    book_widths = [10, 16, 50, 50, 10, 10, 8, 50, 50, 40, 40]
    book = header_sheet(wb, "Kodbok", codebook.HEADER, book_widths, LANDSCAPE["Kodbok"])
    meta = header_sheet(wb, "Metadata", ("uppgift", "varde"), [28, 90], LANDSCAPE["Metadata"])
    reliability = header_sheet(
        wb, "Reliabilitet", RELIABILITY_HEAD, [10, 16, 12, 14, 16, 16], LANDSCAPE["Reliabilitet"]
    )

    written = 0
    for record in stream_responses(session, selection, q, anonymiser, plan, progress):
        wide.append(safe(wide, [*record.head, *record.values, *record.scores]))
        response_id = record.head[0]
        for code, value, answered in zip(item_codes, record.values, record.answered, strict=True):
            if answered:
                long.append(safe(long, [response_id, code, value]))
        written += 1
    if comments is not None:
        for response_id, dimension, text in _comments(session, selection, anonymiser, plan):
            comments.append([response_id, dimension, text_cell(comments, text)])
    for variable in codebook.variables(q, selection.associations, include_comments, plan.recoded):
        book.append(safe(book, variable.row()))
    for row in _metadata_rows(session, selection, q_row, plan, written, include_comments, now):
        meta.append(safe(meta, row))
    for row in _reliability_rows(session, selection, k):
        reliability.append(safe(reliability, row))
    wb.save(out)
    return written


RELIABILITY_HEAD = tuple(v.name for v in codebook.RELIABILITY_VARIABLES)


def _reliability_rows(session: Session, selection: Selection, k: int) -> Iterator[list[object]]:
    """α per round and dimension over respondents who rated every statement; empty where
    fewer than k did (the figure would describe too few people to mean anything)."""
    rounds = {r.id: r for r in selection.rounds}
    for rel in scoring.cronbach_alpha(session, list(rounds), k):
        r = rounds[rel.round_id]
        yield [r.label, r.association_slug, rel.dimension, rel.n, rel.items, rel.alpha]


def _metadata_rows(
    session: Session,
    selection: Selection,
    q_row: models.Questionnaire,
    plan: Recoding,
    responses: int,
    with_comments: bool,
    now: dt.datetime | None,
) -> Iterator[list[object]]:
    now = now or dt.datetime.now(dt.UTC)
    comments = N_("included (the sheet Kommentarer)") if with_comments else N_("not included")
    described = [
        (N_("questionnaire"), q_row.key),
        (N_("questionnaire versions"), ", ".join(selection.versions)),
        (N_("codebook texts from"), f"{q_row.key} v{q_row.version}"),
        (N_("rounds"), ", ".join(selection.labels)),
        (N_("coordination associations"), ", ".join(selection.associations)),
        (N_("responses"), responses),
        (N_("export time (UTC)"), now.strftime("%Y-%m-%dT%H:%M:%SZ")),
        (N_("scoring rules"), translate(LANGUAGE, SCORING_RULES)),
        (N_("minimum group size k"), plan.k),
        (N_("about k"), translate(LANGUAGE, ABOUT_K)),
        (N_("quasi-identifiers"), translate(LANGUAGE, RECODED if plan.recoded else UNRECODED)),
        (N_("respondents recoded"), plan.respondents_recoded),
        (N_("values recoded (förbund, role, agency)"), plan.cells_recoded),
        (N_("responses left out"), sum(plan.left_out.values())),
    ]
    for key, value in described:
        yield [translate(LANGUAGE, key), value]
    yield [codebook.ID, translate(LANGUAGE, ABOUT_IDS)]
    yield [translate(LANGUAGE, "comments"), translate(LANGUAGE, comments)]
    yield []
    yield [translate(LANGUAGE, column) for column in ROUND_COLUMNS]
    counts = response_counts(session, selection)
    for r in selection.rounds:
        yield [
            r.label,
            r.association_slug,
            r.association_name,
            r.questionnaire_key,
            r.questionnaire_version,
            r.state,
            counts.get(r.id, 0),
        ]
    if plan.recoded:
        yield []
        yield from _recoding_rows(selection, plan)


def _recoding_rows(selection: Selection, plan: Recoding) -> Iterator[list[object]]:
    """The recoding list: what became what, where, for how many respondents."""
    yield [translate(LANGUAGE, ABOUT_POOLS)]
    yield [translate(LANGUAGE, column) for column in RECODING_COLUMNS]
    not_answered = translate(LANGUAGE, NOT_ANSWERED)
    for change in plan.changes:
        yield [
            change.label,
            change.association,
            change.variable,
            not_answered if change.before is None else change.before,
            not_answered if change.after is None else change.after,
            change.responses,
        ]
    left_out = translate(LANGUAGE, LEFT_OUT)
    for r in selection.rounds:
        if r.id in plan.left_out:
            slug = r.association_slug
            yield [r.label, slug, codebook.ASSOCIATION, slug, left_out, plan.left_out[r.id]]


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
        scores = [
            None if s is None else (repr(s).replace(".", ",") if decimal_comma else repr(s))
            for s in record.scores
        ]
        # Scores are numbers written as text (a decimal comma for ';'): not neutralised.
        writer.writerow([*csv_row([*record.head, *record.values]), *scores])
        if n % PROGRESS_STEP == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")
