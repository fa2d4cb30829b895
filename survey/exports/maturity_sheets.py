"""The board workbook's sheet of what consensus workshops agreed (issue 21): per selected
published round and dimension, the agreed level now, the agreed target and the rationale.
Written only when a selected round has a workshop, so other workbooks are unchanged."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from sqlalchemy.orm import Session

from survey.db import models
from survey.exports.worksheets import header_sheet, safe, wrapped
from survey.i18n import translate
from survey.maturity.agreed import agreed_levels
from survey.results.overview import dimension_name


def agreed_rows(session: Session, rounds: Sequence[models.Round], lang: str) -> list[list]:
    rows = []
    for rnd in rounds:
        agreed = agreed_levels(session, rnd.id)
        for dim in rnd.questionnaire.dimensions:
            row = agreed.get(dim.code)
            if row is not None:
                rows.append(
                    [
                        rnd.association.name,
                        rnd.label,
                        dimension_name(dim, lang),
                        dim.code,
                        row.current_level,
                        row.target_level,
                        row.rationale,
                    ]
                )
    return rows


def write_agreed_sheet(
    wb: Workbook, session: Session, rounds: Sequence[models.Round], lang: str
) -> None:
    rows = agreed_rows(session, rounds, lang)
    if not rows:
        return
    header = [
        translate(lang, "Coordination association"),
        translate(lang, "Round"),
        translate(lang, "Dimension"),
        translate(lang, "Code"),
        translate(lang, "Agreed level now"),
        translate(lang, "Agreed target level"),
        translate(lang, "Rationale"),
    ]
    ws = header_sheet(
        wb, translate(lang, "Agreed levels"), header, [30, 10, 32, 8, 14, 14, 60], True
    )
    for row in rows:
        ws.append([*safe(ws, row[:-1]), wrapped(ws, row[-1])])
