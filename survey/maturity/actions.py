"""Improvement actions per dimension, planned from a published round and followed up in
the next: title, description, owner (a role or a party, never a respondent), due date and
status (planerad, pågår, klar, avbruten). The next round shows each action beside its
dimension's change with the change's interval, never claiming that one caused the other."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.db import audit, models
from survey.db.engine import transaction
from survey.errors import WordedError
from survey.i18n import N_
from survey.results.overview import DimensionRow, overview_of
from survey.results.publication import ensure_published
from survey.rounds.lifecycle import RoundHistory, round_history

STATUSES = models.ACTION_STATUSES
STATUS_WORDS = {
    "planned": N_("planned"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
}
OPEN_STATUSES = ("planned", "in_progress")
LIMITS = {"title": 200, "owner": 200, "description": 2000}


class ActionRefused(WordedError):
    """An action that cannot be stored as given; nothing was stored."""


def is_overdue(action: models.Action, today: dt.date) -> bool:
    """Past its due date and neither done nor cancelled."""
    return action.status in OPEN_STATUSES and action.due_on is not None and action.due_on < today


def actions_of(session: Session, association_id: int) -> list[models.Action]:
    """A förbund's actions, the earliest due first (those without a date last)."""
    rows = session.scalars(
        select(models.Action).where(models.Action.association_id == association_id)
    ).all()
    return sorted(rows, key=lambda a: (a.due_on is None, a.due_on or dt.date.min, a.id))


def _published(session: Session, slug: str, label: str) -> RoundHistory:
    history = round_history(session, slug, label)
    ensure_published(session, history)
    return history


def _checked(values: Mapping[str, str], dimensions: set[str]) -> dict[str, object]:
    text = {name: (values.get(name) or "").strip() for name in ("title", "owner", "description")}
    if not text["title"]:
        raise ActionRefused(N_("Fill in the title."))
    if not text["owner"]:
        raise ActionRefused(N_("Fill in the owner: a role or a party."))
    for name, limit in LIMITS.items():
        if len(text[name]) > limit:
            raise ActionRefused(N_("Too long: at most %(max)s characters."), max=limit)
    if values.get("dimension") not in dimensions:
        raise ActionRefused(N_("Choose one of the round's dimensions."))
    status = values.get("status") or "planned"
    if status not in STATUSES:
        raise ActionRefused(N_("Choose a status."))
    due_raw = (values.get("due") or "").strip()
    try:
        due = dt.date.fromisoformat(due_raw) if due_raw else None
    except ValueError:
        raise ActionRefused(N_("Give the due date as YYYY-MM-DD.")) from None
    return {**text, "dimension": values["dimension"], "status": status, "due_on": due}


def add_action(
    session: Session,
    slug: str,
    label: str,
    values: Mapping[str, str],
    now: dt.datetime,
    *,
    actor: str | None,
) -> models.Action:
    with transaction(session):
        history = _published(session, slug, label)
        rnd = history.round
        fields = _checked(values, {d.code for d in rnd.questionnaire.dimensions})
        action = models.Action(
            association_id=rnd.association_id, round_id=rnd.id, created_at=now, **fields
        )
        session.add(action)
        session.flush()
        audit.record(
            session, actor, "action_added", f"{slug}/{label}/{fields['dimension']}", at=now,
            action_id=action.id, status=fields["status"],
        )  # fmt: skip
    return action


def set_status(
    session: Session, slug: str, action_id: int, status: str, now: dt.datetime, *, actor: str | None
) -> models.Action:
    with transaction(session):
        action = session.get(models.Action, action_id)
        if action is None or action.association.slug != slug:
            raise ActionRefused(N_("No such action."))
        if status not in STATUSES:
            raise ActionRefused(N_("Choose a status."))
        before, action.status = action.status, status
        audit.record(
            session, actor, "action_status", f"{slug}/{action.round.label}/{action.dimension}",
            at=now, action_id=action.id, before=before, status=status,
        )  # fmt: skip
    return action


@dataclass(frozen=True)
class FollowUp:
    """An action planned in an earlier round beside its dimension's row in the round shown
    (its change since the previous round with the interval, or None when not shown)."""

    action: models.Action
    row: DimensionRow | None
    overdue: bool


def follow_ups(
    actions: Sequence[models.Action],
    rnd: models.Round,
    rows: Sequence[DimensionRow],
    today: dt.date,
) -> list[FollowUp]:
    by_code = {row.code: row for row in rows}
    return [
        FollowUp(a, by_code.get(a.dimension), is_overdue(a, today))
        for a in actions
        if a.round.sequence < rnd.sequence
    ]


@dataclass(frozen=True)
class ActionPlan:
    """The actions on the board's page of a round: planned from it, and followed up from
    earlier rounds beside their dimension's change."""

    planned: list[models.Action]
    followed: list[FollowUp]
    overdue: list[models.Action]
    #: The round's dimension rows (change since the previous round with its interval).
    rows: list[DimensionRow]


def action_plan(
    session: Session, history: RoundHistory, k: int, lang: str, today: dt.date
) -> ActionPlan:
    rnd = history.round
    actions = actions_of(session, rnd.association_id)
    rows = overview_of(session, history, k, lang).rows
    return ActionPlan(
        planned=[a for a in actions if a.round_id == rnd.id],
        followed=follow_ups(actions, rnd, rows, today),
        overdue=[a for a in actions if is_overdue(a, today)],
        rows=list(rows),
    )
