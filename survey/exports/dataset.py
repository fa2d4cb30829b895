"""The researcher's dataset as a stream of plain records, shared by every form of the
export (workbook, CSV, Parquet, SPSS, Stata): the questionnaire that labels it, export-local
response ids and row order, and one record per exported response. No Flask here.

Memory stays flat however large the selection: answers are streamed from SQL in response
order (`yield_per`), one record per response is built and forgotten.

Response ids are export-local: a keyed permutation of the database id with a random key
that is thrown away after the export, so ids are unique within one export, cannot be joined
across exports and reveal nothing about the database. Rows are ordered by round and förbund
and then shuffled (by a random multiplier modulo a prime), so the row order does not tell
who started answering first either.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session

from survey.db import models
from survey.disclosure import effective_k
from survey.errors import ExportRefused
from survey.exports import codebook, recoding
from survey.exports.recoding import Recoding
from survey.exports.selection import Selection
from survey.i18n import N_, translate
from survey.instruments.catalog import definition_of
from survey.instruments.questionnaire import Questionnaire
from survey.results import scoring
from survey.results.gate import published

Progress = Callable[[int], None]
PROGRESS_STEP = 500  # responses between progress callbacks
#: The file's prose and the pooled förbund's name are Swedish, like its variable names.
LANGUAGE = "sv"
POOLED_NAME = N_("Other coordination associations (each with fewer than k responses)")


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
        .where(models.Item.questionnaire_id.in_(ids), models.Item.kind == "statement")
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

    def __init__(self, seed: bytes | None = None) -> None:
        """Keys for one export; with `seed`, keys derived from it, so that the pages of one
        caller's rows (the API, survey/exports/row_pages.py) share ids and order."""
        if seed is None:
            self._key = secrets.token_bytes(16)
            self._multiplier = secrets.randbelow(self.PRIME - 2) + 2
            return
        self._key = hmac.digest(seed, b"id", "sha256")[:16]
        order = int.from_bytes(hmac.digest(seed, b"order", "sha256")[:8], "big")
        self._multiplier = order % (self.PRIME - 2) + 2

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
    head: list[object]  # svar_id, omgang, forbund, forbund_namn, roll, part, demo
    values: list[int | None]  # raw 1–5 per exported item; None = vet ej or not answered
    answered: list[bool]  # False where the item has no answer row at all
    scores: list[float | None]
    round_id: int  # the database's round (not exported: for figures computed in the pass)


def _published_association(plan: Recoding) -> ColumnElement[str]:
    """The förbund code as the file shows it. Rows are ordered (and shuffled) within it, so
    the rows of a pool are mixed rather than lying förbund by förbund in slug order."""
    if not plan.pooled:
        return models.Association.slug
    return case(
        (models.Round.id.in_(sorted(plan.pooled)), literal(codebook.OTHER)),
        else_=models.Association.slug,
    )


def exported(plan: Recoding, selection: Selection) -> ColumnElement[bool]:
    """Submitted responses of the selected rounds whose rows the file holds; the
    publication gate once more, so a row of an unpublished round never reaches a file
    whatever the selection holds."""
    return and_(
        models.Response.round_id.in_(plan.kept(selection.round_ids)),
        published(models.Response.round_id),
    )


ANSWER_SEPARATOR, VALUE_SEPARATOR = ",", ":"  # item codes are [A-Z][A-Z0-9_]*: neither


def _response_rows(
    selection: Selection,
    anonymiser: Anonymiser,
    plan: Recoding,
    window: tuple[int, int] | None = None,
) -> Select[tuple[Any, ...]]:
    """One row per exported response in the file's row order, its answers folded into one
    string "CODE:value,CODE:,…" (an empty value for "vet ej"; a statement not answered is
    not there; NULL for a response without answers) by the database's string aggregate
    (group_concat, string_agg). One row per response instead of one per answer: fetching
    and grouping answer rows was a third of the package's CPU time. Scores are not joined here:
    computed per response from its answers by `scoring.RespondentScorer` (the same rule),
    which is seven times faster than joining `respondent_scores()`. A `window` (skip, take)
    is a page of those rows (the API's): its responses are chosen first, by the same order
    on the response table alone, so a page's answers are all that is read and folded."""
    order = anonymiser.row_order().label("row_order")
    value = func.coalesce(cast(models.Answer.value, String), literal(""))
    pair = models.Item.code + literal(VALUE_SEPARATOR) + value
    head = (
        models.Response.id,
        models.Response.round_id,
        models.Round.label,
        models.Association.slug,
        models.Association.name,
        models.Association.is_demo,
        models.Response.role,
        models.Response.agency,
    )
    published = _published_association(plan)
    # The response's own key last: two responses the shuffle puts at one place keep one order.
    row_order = (models.Round.label, published, order, models.Response.id)
    stmt = (
        select(*head, func.aggregate_strings(pair, ANSWER_SEPARATOR))
        .select_from(models.Response)
        .join(models.Round, models.Round.id == models.Response.round_id)
        .join(models.Association, models.Association.id == models.Round.association_id)
        .outerjoin(models.Answer, models.answers_of_response())
        .outerjoin(models.Item, models.Item.id == models.Answer.item_id)
        .where(exported(plan, selection))
        .group_by(*head, models.Round.id, models.Association.id)
        .order_by(*row_order)
    )
    if window is None:
        return stmt
    skip, take = window
    page = (
        select(models.Response.id)
        .join(models.Round, models.Round.id == models.Response.round_id)
        .join(models.Association, models.Association.id == models.Round.association_id)
        .where(exported(plan, selection))
        .order_by(*row_order)
        .offset(skip)
        .limit(take)
    )
    return stmt.where(models.Response.id.in_(page))


def _answer_parser(q: Questionnaire) -> Callable[[str | None], tuple[list, list[bool]]]:
    """Values and answered flags in the order of `codebook.exported_items(q)` from the
    folded answers of `_response_rows`; every "CODE:value" the questionnaire can hold is
    looked up whole."""
    items = codebook.exported_items(q)
    position = {item.code: i for i, item in enumerate(items)}
    known = {
        f"{code}{VALUE_SEPARATOR}{'' if v is None else v}": (pos, v)
        for code, pos in position.items()
        for v in (None, *q.scale.points)
    }

    def parse(folded: str | None) -> tuple[list, list[bool]]:
        values: list[int | None] = [None] * len(items)
        answered = [False] * len(items)
        for pair in folded.split(ANSWER_SEPARATOR) if folded else ():
            found = known.get(pair)
            if found is None:  # a value outside the scale, or a code of another version
                code, _sep, raw = pair.partition(VALUE_SEPARATOR)
                if (pos := position.get(code)) is None:
                    continue
                found = (pos, int(raw) if raw else None)
            pos, values[pos] = found
            answered[pos] = True
        return values, answered

    return parse


def stream_responses(
    session: Session,
    selection: Selection,
    q: Questionnaire,
    anonymiser: Anonymiser,
    plan: Recoding,
    progress: Progress | None = None,
    window: tuple[int, int] | None = None,
) -> Iterator[ResponseRecord]:
    """One record per exported response, streamed from a single ordered SQL query, its
    förbund, role and agency as `plan` publishes them; nothing but the current response is
    held in memory. `window`: (skip, take) of those records only."""
    parse = _answer_parser(q)
    scorer = scoring.RespondentScorer(q)
    pooled_name = translate(LANGUAGE, POOLED_NAME)
    done = 0
    connection = session.connection().execution_options(yield_per=2000)
    for row in connection.execute(_response_rows(selection, anonymiser, plan, window)):
        response_id, round_id, label, slug, name, is_demo, role, agency, folded = row
        published = plan.publish(round_id, slug, role, agency)
        if published is None:
            continue  # submitted after the recoding was decided (see Recoding.publish)
        slug, role, agency = published
        name = pooled_name if round_id in plan.pooled else name
        values, answered = parse(folded)
        demo = 1 if is_demo else 0
        head = [anonymiser.id(response_id), label, slug, name, role, agency, demo]
        yield ResponseRecord(head, values, answered, scorer.scores(values), round_id)
        done += 1
        if progress and done % PROGRESS_STEP == 0:
            progress(PROGRESS_STEP)
    if progress and done % PROGRESS_STEP:
        progress(done % PROGRESS_STEP)


def comments_of(
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
        .where(exported(plan, selection))
        .order_by(
            models.Round.label, _published_association(plan), order, models.Dimension.position
        )
        .execution_options(yield_per=2000)
    )
    for response_id, dimension, text, *quasi in session.execute(stmt):
        if plan.publish(*quasi) is not None:
            yield [anonymiser.id(response_id), dimension, text]


@dataclass(frozen=True)
class Export:
    """What every form of one export shares, fixed before the single pass over the answers:
    the rounds, the labelling questionnaire, the recoding and the id key (so `svar_id`
    is the same in the workbook, the CSV, Parquet, SPSS and Stata files of one export)."""

    selection: Selection
    q_row: models.Questionnaire
    q: Questionnaire
    plan: Recoding
    anonymiser: Anonymiser
    k: int

    @classmethod
    def prepare(cls, session: Session, selection: Selection, k: int, recode: bool) -> Export:
        k = effective_k(k)
        q_row = research_questionnaire(session, selection)
        plan = recoding.plan(session, selection, k, recode, report_groups(session))
        return cls(selection, q_row, definition_of(q_row), plan, Anonymiser(), k)

    def long_rows(self, session: Session) -> int:
        """Rows of the long form (one per stored answer), counted in SQL before any row is
        written: an upper bound (a response submitted later may be left out)."""
        stmt = (
            select(func.count())
            .select_from(models.Answer)
            .join(models.Response, models.answers_of_response())
            .where(exported(self.plan, self.selection))
        )
        return int(session.scalar(stmt) or 0)

    def records(self, session: Session, progress: Progress | None = None):
        return stream_responses(
            session, self.selection, self.q, self.anonymiser, self.plan, progress
        )
