"""The board workbook's sheets of issue 21: what consensus workshops agreed (per selected
published round and dimension: agreed level now, target, rationale) and the förbund's
actions; each written only when there is something in it, so other workbooks are
unchanged. And the actions as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

from openpyxl import Workbook
from sqlalchemy.orm import Session

from survey.db import models
from survey.exports.worksheets import csv_row, header_sheet, safe, wrapped
from survey.i18n import N_, translate
from survey.maturity.actions import STATUS_WORDS, actions_of, is_overdue
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


ACTION_HEAD = (
    N_("Round"), N_("Dimension"), N_("Title"), N_("Description"), N_("Owner"), N_("Due"),
    N_("Status"), N_("Overdue"),
)  # fmt: skip


def action_rows(actions: Sequence[models.Action], today: dt.date, lang: str) -> list[list]:
    return [
        [
            a.round.label,
            a.dimension,
            a.title,
            a.description,
            a.owner,
            a.due_on.isoformat() if a.due_on else "",
            translate(lang, STATUS_WORDS[a.status]),
            translate(lang, "yes") if is_overdue(a, today) else "",
        ]
        for a in actions
    ]


def actions_csv(actions: Sequence[models.Action], today: dt.date, lang: str) -> bytes:
    """A förbund's actions as CSV for Excel: UTF-8 with a byte order mark, semicolons, text
    that a spreadsheet would run as a formula neutralised (`csv_row`)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([translate(lang, word) for word in ACTION_HEAD])
    for row in action_rows(actions, today, lang):
        writer.writerow(csv_row(row))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_actions_sheet(
    wb: Workbook, session: Session, rounds: Sequence[models.Round], today: dt.date, lang: str
) -> None:
    """The selected förbund's actions (written only when there are any)."""
    seen: set[int] = set()
    actions = []
    for rnd in rounds:
        if rnd.association_id not in seen:
            seen.add(rnd.association_id)
            actions += [
                a
                for a in actions_of(session, rnd.association_id)
                if a.round.sequence <= rnd.sequence
            ]
    if not actions:
        return
    header = [translate(lang, word) for word in ACTION_HEAD]
    ws = header_sheet(
        wb, translate(lang, "Actions"), header, [10, 10, 30, 50, 24, 12, 12, 10], True
    )
    for row in action_rows(actions, today, lang):
        ws.append(safe(ws, row))
