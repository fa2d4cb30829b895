"""The research file's rows a page at a time, for the read-only API (/api/v1/research/rows).

The same code as the research exports, nothing of its own: the rounds through
`selection.select_rounds` (published only), the recoding plan of `recoding.plan` (always
recoded: an API token never reads the unrecoded file), the rows and their columns from
`dataset.stream_responses` and `codebook.wide_columns`. Ids and row order come from an
`Anonymiser` keyed by the caller's seed, so every page of one caller agrees (the same
response keeps its id from page to page) while two callers' ids cannot be joined. A page's
responses are chosen in SQL on the response table alone (`dataset.stream_responses`'s
window), so only its own answers are read: a page costs about the same wherever it is.
Without a questionnaire version the rows are those of the newest version among the
matching published rounds (one wide table cannot hold versions whose statements differ;
an older version is asked for by number). No Flask here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy.orm import Session

from survey.disclosure import effective_k
from survey.exports import codebook, recoding
from survey.exports.dataset import (
    Anonymiser,
    report_groups,
    research_questionnaire,
    stream_responses,
)
from survey.exports.recoding import Change
from survey.exports.selection import ExportFilter, select_rounds
from survey.instruments.catalog import definition_of

MAX_PER_PAGE = 500


@dataclass(frozen=True)
class RowsPage:
    columns: list[str]
    rows: list[list[object]]
    page: int
    per_page: int
    has_next: bool
    total: int  # rows of the whole selection (the recoded file's row count)
    changes: tuple[Change, ...]  # the recoding, as the file's metadata lists it


def rows_page(
    session: Session, flt: ExportFilter, k: int, seed: bytes, page: int, per_page: int
) -> RowsPage:
    """Page `page` (from 1) of `per_page` rows of the recoded research rows of `flt`;
    ExportRefused / NotFound as the exports raise them."""
    k = effective_k(k)
    selection = select_rounds(session, flt)
    if flt.version is None:
        newest = max(r.questionnaire_version for r in selection.rounds)
        flt = dataclasses.replace(flt, version=newest)
        selection = select_rounds(session, flt)
    q = definition_of(research_questionnaire(session, selection))
    plan = recoding.plan(session, selection, k, True, report_groups(session))
    start = (page - 1) * per_page
    window = list(
        stream_responses(
            session, selection, q, Anonymiser(seed), plan, window=(start, per_page + 1)
        )
    )
    return RowsPage(
        columns=codebook.wide_columns(q),
        rows=[[*r.head, *r.values, *r.scores] for r in window[:per_page]],
        page=page,
        per_page=per_page,
        has_next=len(window) > per_page,
        total=plan.responses,
        changes=plan.changes,
    )
