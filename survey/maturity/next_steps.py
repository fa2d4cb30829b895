""" "What to work on next": plain sentences from figures already shown, each pointing at
its place on the board's pages. Only shown figures are used (the picture and the overview
are suppressed at the source), so a sentence tells nothing a table does not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from survey.maturity.actions import ActionPlan, actions_of, is_overdue
from survey.maturity.picture import MaturityPicture, gaps_and_agreement
from survey.results.overview import DimensionRow
from survey.rounds.lifecycle import RoundHistory

#: How many of the largest gaps a sentence names.
LARGEST_GAPS = 2


@dataclass(frozen=True)
class Pointer:
    """One sentence: its kind (the page words it), the dimensions or actions it names, and
    the anchor of its place."""

    kind: str  # "gap" | "split" | "drop" | "overdue"
    names: tuple[str, ...]
    anchor: str


def next_steps(
    picture: MaturityPicture, rows: Sequence[DimensionRow], plan: ActionPlan
) -> list[Pointer]:
    pointers = []
    gaps = [r for r in picture.by_gap() if r.gap is not None and r.gap > 0][:LARGEST_GAPS]
    if gaps:
        pointers.append(Pointer("gap", tuple(r.name for r in gaps), "gaps"))
    split = [r for r in picture.split_first() if r.split]
    if split:
        pointers.append(Pointer("split", tuple(r.name for r in split), "agreement"))
    drops = [r for r in rows if r.difference is not None and r.difference.direction < 0]
    if drops:
        pointers.append(Pointer("drop", tuple(r.name for r in drops), "changes"))
    if plan.overdue:
        pointers.append(Pointer("overdue", tuple(a.title for a in plan.overdue), "actions"))
    return pointers


def round_next_steps(
    session: Session,
    history: RoundHistory,
    rows: Sequence[DimensionRow],
    k: int,
    today: dt.date,
) -> list[Pointer]:
    """The sentences for the dashboard and the report of a published round: the same rule
    as the maturity page, on the overview rows the page already computed (so only the
    levels now and desired and the förbund's actions are read anew: three queries)."""
    picture = gaps_and_agreement(session, history, rows, k)
    overdue = [a for a in actions_of(session, history.round.association_id) if is_overdue(a, today)]
    return next_steps(picture, rows, ActionPlan([], [], overdue, list(rows)))
