"""The import layout: one row per respondent; the columns `role`, `agency` (choice codes
of the questionnaire; required), `years` and `language` (optional), then one column per
statement code (and level code, STRAT.NOW, from version 3 on) holding 1–5, "vet ej" for
don't know, or nothing for not answered. The template to fill in, and one round written in
this layout (`survey export-rows`): the format an import reads back into the same figures.

The research file is not that format: it recodes role and agency (groups under k become
ovrig) and its wide form does not tell "vet ej" from not answered, so a round imported from
it would show other figures; it imports, but loses both (docs/operations.md).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.db import models
from survey.exports import codebook
from survey.exports.worksheets import csv_row
from survey.instruments.catalog import definition_of
from survey.instruments.questionnaire import Questionnaire
from survey.results.gate import published

BACKGROUND = ("role", "agency", "years", "language")
DONT_KNOW = "vet ej"


def columns(q: Questionnaire) -> list[str]:
    return [*BACKGROUND, *(item.code for item in codebook.exported_items(q))]


def _line(cells: list[object]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(csv_row(cells))
    return buffer.getvalue().encode("utf-8")


def template_csv(q: Questionnaire) -> bytes:
    """The heading row (UTF-8 with a byte order mark, so Excel shows åäö) and one example
    respondent, to be replaced."""
    example: list[object] = [q.background[0].choices[0].code, q.background[1].choices[0].code]
    example += ["", "sv"] + [4 if i % 3 else DONT_KNOW for i, _ in enumerate(columns(q)[4:])]
    return b"\xef\xbb\xbf" + _line(list(columns(q))) + _line(example)


def round_csv(session: Session, rnd: models.Round) -> Iterator[bytes]:
    """Every response of the round in the import layout, as answered (NOT recoded: for
    moving a round to another installation, by whoever may read row-level data); only a
    published round's (the publication gate, as for every export). Rows come
    in the order of their random keys, which is no order of submission."""
    q = definition_of(rnd.questionnaire)
    heading = columns(q)
    position = {code: i for i, code in enumerate(heading)}
    yield b"\xef\xbb\xbf" + _line(heading)
    stmt = (
        select(
            models.Response.id,
            models.Response.role,
            models.Response.agency,
            models.Response.years,
            models.Response.language,
            models.Item.code,
            models.Answer.value,
        )
        .outerjoin(models.Answer, models.Answer.response_id == models.Response.id)
        .outerjoin(models.Item, models.Item.id == models.Answer.item_id)
        .where(models.Response.round_id == rnd.id, published(models.Response.round_id))
        .order_by(models.Response.id)
    )
    rows = session.execute(stmt.execution_options(yield_per=2000))  # streamed
    for _key, answers in groupby(rows, key=lambda r: r.id):
        first = None
        cells: list[object] = [""] * len(heading)
        for r in answers:
            first = first or r
            if r.code is not None and r.code in position:
                cells[position[r.code]] = DONT_KNOW if r.value is None else r.value
        assert first is not None
        cells[:4] = [first.role or "", first.agency or "", first.years or "", first.language]
        yield _line(cells)
