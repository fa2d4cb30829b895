"""What a förbund administrator scheduled for a round, carried out on each pass of the mail
worker: a reminder N days before the last day (once), and closing the round once its last
day has passed (through round_actions.close_round, as a close by hand). `mail_pass` is the
worker's pass with them first: `survey mail send` and the mail page's "Skicka nu" call it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.db import audit, models
from survey.db.audit import utcnow
from survey.db.engine import transaction
from survey.db.models import RoundState
from survey.errors import RoundSetupError
from survey.i18n import N_
from survey.mail import outbox, worker
from survey.rounds import lifecycle
from survey.services import round_actions
from survey.settings import Settings

ACTOR = "mail worker (scheduled)"
MAX_DAYS_BEFORE = 60


@dataclass(frozen=True)
class Done:
    reminders: int = 0  # reminders queued
    closed: tuple[str, ...] = ()  # "förbund/label" of the rounds closed

    def __str__(self) -> str:
        parts = [f"{self.reminders} scheduled reminder(s) queued"] if self.reminders else []
        parts += [f"closed {name}" for name in self.closed]
        return "; ".join(parts)


def set_schedule(
    session: Session,
    slug: str,
    label: str,
    remind_days_before: int | None,
    close_after_last_day: bool,
    *,
    actor: str | None = None,
) -> models.Round:
    """Schedule (or clear) the round's reminder and closing; both need a last day."""
    with transaction(session):
        rnd = lifecycle.round_by_name(session, slug, label)
        if rnd.state in (RoundState.CLOSED, RoundState.PUBLISHED):
            raise RoundSetupError(
                N_("round %(label)s is %(state)s: there is nothing left to schedule"),
                label=label,
                state=rnd.state,
            )
        wanted = remind_days_before is not None or close_after_last_day
        if wanted and rnd.closes_on is None:
            raise RoundSetupError(
                N_("round %(label)s has no last day: give it one before scheduling"),
                label=label,
            )
        if remind_days_before is not None and not 1 <= remind_days_before <= MAX_DAYS_BEFORE:
            raise RoundSetupError(
                N_("a reminder can be scheduled 1 to %(max)s days before the last day"),
                max=MAX_DAYS_BEFORE,
            )
        if remind_days_before != rnd.remind_days_before:
            rnd.reminded_on = None  # a new day: the reminder goes again on it
        rnd.remind_days_before = remind_days_before
        rnd.close_after_last_day = close_after_last_day
        audit.record(
            session,
            actor,
            "round_scheduled",
            f"{slug}/{label}",
            remind_days_before=remind_days_before,
            close_after_last_day=close_after_last_day,
        )
    return rnd


def mail_pass(
    session: Session,
    settings: Settings,
    *,
    clock: Callable[[], dt.datetime] = utcnow,
    stop: Callable[[], bool] = lambda: False,
) -> worker.Pass:
    """One pass of the mail worker: what the rounds scheduled is carried out first, then
    every message that is due is sent (refused, like the worker, without mail settings)."""
    worker.ready(settings)
    scheduled = run_due(session, settings.secret_key, clock())
    done = worker.send_due(session, settings, clock=clock, stop=stop)
    done.scheduled = str(scheduled)
    return done


def run_due(session: Session, secret_key: str, now: dt.datetime) -> Done:
    """Queue the scheduled reminders that are due and close the rounds whose last day has
    passed (each in its own unit of work, so one round's trouble leaves the rest)."""
    today = now.date()
    reminders = 0
    for rnd in _due_reminders(session, today):
        with transaction(session):
            queued = outbox.queue_reminders(session, rnd, secret_key, now)
            if queued:  # else: no invitation has gone yet, or all answered; look again
                rnd.reminded_on = today
                audit.record(session, ACTOR, "mail_reminders_scheduled", _name(rnd), count=queued)
            reminders += queued
    closed = []
    for slug, label in _due_closing(session, today):
        round_actions.close_round(session, slug, label, today, actor=ACTOR)
        closed.append(f"{slug}/{label}")
    return Done(reminders, tuple(closed))


def _due_reminders(session: Session, today: dt.date) -> list[models.Round]:
    rounds = session.scalars(
        select(models.Round).where(
            models.Round.state == RoundState.OPEN,
            models.Round.remind_days_before.is_not(None),
            models.Round.reminded_on.is_(None),
            models.Round.closes_on.is_not(None),
        )
    )
    return [
        r
        for r in rounds
        if r.closes_on - dt.timedelta(days=r.remind_days_before) <= today <= r.closes_on
        and lifecycle.effective_state(r, today) == RoundState.OPEN
    ]


def _due_closing(session: Session, today: dt.date) -> list[tuple[str, str]]:
    stmt = (
        select(models.Association.slug, models.Round.label)
        .join(models.Round.association)
        .where(
            models.Round.state == RoundState.OPEN,
            models.Round.close_after_last_day.is_(True),
            models.Round.closes_on < today,
        )
    )
    return [(slug, label) for slug, label in session.execute(stmt)]


def _name(rnd: models.Round) -> str:
    return f"{rnd.association.slug}/{rnd.label}"
