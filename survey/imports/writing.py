"""Storing an imported round: a normal closed round marked as imported, its responses
written as submitted ones are (survey.db.mixing: random keys, in one random order), so
nothing in the stored rows keeps the file's row order or anything else of the file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from survey.answering.drafts import item_ids
from survey.db import mixing, models
from survey.db.models import RoundState
from survey.imports.validation import ParsedRow
from survey.rounds import lifecycle

SOURCE_MAX = 200


def write_round(
    session: Session,
    association: models.Association,
    questionnaire: models.Questionnaire,
    label: str,
    rows: Sequence[ParsedRow],
    *,
    source: str,
    actor: str | None,
    at: dt.datetime,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    invited: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> models.Round:
    """The closed round with `rows` as its responses, inside the caller's unit of work."""
    rnd = lifecycle.create_round(
        session,
        association,
        questionnaire,
        label,
        opens_on=opens_on,
        closes_on=closes_on,
        state=RoundState.CLOSED,
    )
    rnd.invited = invited  # as closing fixes it: N of the intervals, None if not known
    rnd.imported_from = source[:SOURCE_MAX]
    rnd.imported_at = at
    rnd.imported_by = (actor or "")[:SOURCE_MAX] or None
    items = item_ids(session, questionnaire.id)
    group = [
        mixing.Submitted(
            language=row.language,
            role=row.role,
            agency=row.agency,
            years=row.years,
            answers=[(items[code], value) for code, value in row.answers],
        )
        for row in rows
    ]
    mixing.write_new(session, rnd.id, group, progress)
    session.flush()
    return rnd
