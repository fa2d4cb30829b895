"""The publication gate: every figure comes from published rounds only.

One rule in one place. A round's answers become figures (means, n, distributions, the
national reference, research rows) only once it is closed and published; before that
only counts exist (the response rate). Two reads of any output around one submit would
otherwise give that person's answers away by subtraction, and a closed round that was
never published was never meant to be seen.

Every statement that reads answers for figures filters its responses (or rounds) with
`published(...)`: the scoring statements behind every page, chart, JSON, workbook, PDF
and export (survey.results.scoring), the national reference, the comparison page, the
research exports, and the maturity levels and the board's comments (survey.maturity). A
new output built on them cannot forget the rule; one reading answers on its own must use
it too (tests/test_publication_gate.py and tests/test_maturity_gate.py read every output).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, select

from survey.db import models
from survey.db.models import RoundState


def published_rounds() -> Select[tuple[int]]:
    """The ids of the published rounds, as a subquery to filter with."""
    return select(models.Round.id).where(models.Round.state == RoundState.PUBLISHED)


def published(round_id: Any) -> ColumnElement[bool]:
    """True for rows whose round (`round_id`, a column) is published."""
    return round_id.in_(published_rounds())
