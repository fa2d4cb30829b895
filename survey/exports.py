"""Excel exports (openpyxl write-only, streamed row by row so memory stays flat)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from itertools import groupby
from typing import IO

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import models, reports

SUPPRESSED_TEXT = "för få svar"


def _response_rows(
    session: Session, round_ids: Sequence[int], item_codes: Sequence[str]
) -> Iterator[list[object]]:
    """One list per submitted response: id, round, förbund, role, agency, then raw values.

    Ids are random and local to this export, never database ids, so two exports cannot be
    joined on them and the order of submission is not revealed.
    """
    stmt = (
        select(
            models.Response.id,
            models.Round.label,
            models.Association.slug,
            models.Response.role,
            models.Response.agency,
            models.Item.code,
            models.Answer.value,
        )
        .join(models.Round, models.Round.id == models.Response.round_id)
        .join(models.Association, models.Association.id == models.Round.association_id)
        .join(models.Answer, models.Answer.response_id == models.Response.id)
        .join(models.Item, models.Item.id == models.Answer.item_id)
        .where(models.Response.round_id.in_(round_ids), models.Response.state == "submitted")
        .order_by(models.Response.id)
        .execution_options(yield_per=5000)
    )
    position = {code: i for i, code in enumerate(item_codes)}
    for _id, rows in groupby(session.execute(stmt), key=lambda r: r[0]):
        rows = list(rows)
        first = rows[0]
        values: list[object] = [None] * len(item_codes)
        for row in rows:
            if row.code in position:
                values[position[row.code]] = row.value
        yield [secrets.token_hex(4), first.label, first.slug, first.role, first.agency, *values]


def write_round_workbook(
    session: Session, rnd: models.Round, k: int, lang: str, out: IO[bytes]
) -> None:
    """Aggregates (suppressed as on the pages) and the anonymised responses of one round."""
    wb = Workbook(write_only=True)
    overview = reports.round_overview(session, rnd, k, lang)
    agg = wb.create_sheet("Aggregat")
    agg.append(["förbund", "omgång", "dimension", "namn", "n", "medel", "sd", "nationellt_medel"])
    for row in overview.rows:
        if row.suppressed:
            agg.append(
                [
                    overview.association,
                    overview.round_label,
                    row.code,
                    row.name,
                    row.n,
                    SUPPRESSED_TEXT,
                    None,
                    row.national_mean,
                ]
            )
        else:
            agg.append(
                [
                    overview.association,
                    overview.round_label,
                    row.code,
                    row.name,
                    row.n,
                    row.mean,
                    row.sd,
                    row.national_mean,
                ]
            )
    item_codes = [item.code for item in rnd.questionnaire.items]
    responses = wb.create_sheet("Svar")
    responses.append(["svar_id", "omgång", "förbund", "roll", "part", *item_codes])
    for values in _response_rows(session, [rnd.id], item_codes):
        responses.append(values)
    wb.save(out)
