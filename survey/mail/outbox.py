"""The outbox: messages queued by the pages, claimed one at a time by a worker in its own
committed unit of work before it talks to the SMTP server, and marked with what happened.

A claimed message is `sending` until the worker marks it. One whose worker stopped midway
(killed, a power cut) stays `sending`; once its claim is older than STALE_AFTER it becomes
`interrupted` and is never sent again by itself: it may have arrived, and sending nothing
twice matters more than sending everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.db import models
from survey.db.engine import transaction
from survey.db.models import MessageKind, MessageStatus, RoundState
from survey.instruments.catalog import definition_of
from survey.mail import recipients
from survey.rounds import lifecycle

#: Attempts before a temporary failure becomes a failure.
MAX_ATTEMPTS = 5
#: The first wait after a temporary failure; doubled each time, at most MAX_BACKOFF.
FIRST_BACKOFF = dt.timedelta(minutes=1)
MAX_BACKOFF = dt.timedelta(hours=1)
#: A claim this old belongs to a worker that stopped (a send takes at most a few SMTP
#: timeouts of 30 s).
STALE_AFTER = dt.timedelta(minutes=10)
#: Statuses after which an invitation is not queued again: it went, or may have gone.
INVITED = (
    MessageStatus.QUEUED,
    MessageStatus.SENDING,
    MessageStatus.SENT,
    MessageStatus.INTERRUPTED,
)
PENDING = (MessageStatus.QUEUED, MessageStatus.SENDING)


@dataclass(frozen=True)
class Outgoing:
    """What a worker needs to send one claimed message; made from the database, never
    stored."""

    message_id: int
    kind: str
    address: str
    language: str
    link_seed: str
    association_id: int
    forbund: str
    label: str
    closes_on: dt.date | None
    minutes: int = 10  # about how long answering takes (the questionnaire's own figure)


def _new(rnd_id: int, recipient_id: int, kind: str, now: dt.datetime) -> models.MailMessage:
    return models.MailMessage(
        round_id=rnd_id,
        recipient_id=recipient_id,
        kind=kind,
        status=MessageStatus.QUEUED,
        attempts=0,
        queued_at=now,
        next_attempt_at=now,
    )


def _by_recipient(session: Session, round_id: int, kind: str) -> dict[int, set[str]]:
    rows = session.execute(
        select(models.MailMessage.recipient_id, models.MailMessage.status).filter_by(
            round_id=round_id, kind=kind
        )
    ).all()
    found: dict[int, set[str]] = {}
    for recipient_id, status in rows:
        found.setdefault(recipient_id, set()).add(status)
    return found


def queue_invitations(session: Session, rnd: models.Round, now: dt.datetime) -> int:
    """An invitation to everyone in the round who has none that went or may have gone
    (a failed one is queued again)."""
    statuses = _by_recipient(session, rnd.id, MessageKind.INVITATION)
    people = session.scalars(select(models.MailRecipient.id).filter_by(round_id=rnd.id))
    new = [
        _new(rnd.id, rid, MessageKind.INVITATION, now)
        for rid in people
        if not statuses.get(rid, set()) & set(INVITED)
    ]
    session.add_all(new)
    return len(new)


def queue_reminders(session: Session, rnd: models.Round, secret_key: str, now: dt.datetime) -> int:
    """A reminder to everyone whose invitation went (or may have) and whose link has not
    been used to submit, unless one is already waiting."""
    invited = _by_recipient(session, rnd.id, MessageKind.INVITATION)
    reminded = _by_recipient(session, rnd.id, MessageKind.REMINDER)
    people = list(session.scalars(select(models.MailRecipient).filter_by(round_id=rnd.id)))
    used = recipients.invitation_states(session, secret_key, people)
    new = [
        _new(rnd.id, person.id, MessageKind.REMINDER, now)
        for person in people
        if invited.get(person.id, set()) & {MessageStatus.SENT, MessageStatus.INTERRUPTED}
        and used[person.id] is False
        and not reminded.get(person.id, set()) & set(PENDING)
    ]
    session.add_all(new)
    return len(new)


def tidy(session: Session, now: dt.datetime) -> None:
    """Before a worker's pass: claims left by a stopped worker become `interrupted`, and the
    addresses of rounds that no longer take answers are deleted (whatever closed them)."""
    with transaction(session):
        stale = select(models.MailMessage).where(
            models.MailMessage.status == MessageStatus.SENDING,
            models.MailMessage.claimed_at < now - STALE_AFTER,
        )
        for message in session.scalars(stale.with_for_update(skip_locked=True)):
            message.status = MessageStatus.INTERRUPTED
            message.last_error = "the worker stopped while sending; it may have arrived"
        rounds = session.execute(
            select(
                models.Round.id, models.Round.state, models.Round.opens_on, models.Round.closes_on
            ).where(models.Round.id.in_(select(models.MailRecipient.round_id)))
        ).all()
        over = [
            row.id
            for row in rounds
            if lifecycle.effective_state(row, now.date())
            in (RoundState.CLOSED, RoundState.PUBLISHED)
        ]
        recipients.delete_for_rounds(session, over)


def claim_next(session: Session, secret_key: str, now: dt.datetime) -> Outgoing | None:
    """The next due message, marked `sending` and committed before anything is sent, or
    None. Two workers never claim the same one: PostgreSQL skips rows another has locked,
    SQLite's unit of work holds the write lock. Messages that no longer apply are settled
    on the way (cancelled, or failed when the link is gone)."""
    while True:
        with transaction(session):
            stmt = (
                select(models.MailMessage)
                .where(
                    models.MailMessage.status == MessageStatus.QUEUED,
                    models.MailMessage.next_attempt_at <= now,
                )
                .order_by(models.MailMessage.next_attempt_at, models.MailMessage.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            message = session.scalar(stmt)
            if message is None:
                return None
            outgoing = _outgoing(session, message, secret_key, now)
            if outgoing is not None:
                message.status = MessageStatus.SENDING
                message.claimed_at = now
                message.attempts += 1
                return outgoing


def _outgoing(
    session: Session, message: models.MailMessage, secret_key: str, now: dt.datetime
) -> Outgoing | None:
    """The claim's contents, or None after settling a message that must not go."""
    person = message.recipient
    rnd = session.get(models.Round, message.round_id)
    assert rnd is not None  # the foreign key cascades
    used = recipients.invitation_states(session, secret_key, [person])[person.id]
    if lifecycle.effective_state(rnd, now.date()) != RoundState.OPEN:
        _settle(message, MessageStatus.CANCELLED, "the round no longer takes answers")
    elif used is None:
        _settle(
            message,
            MessageStatus.FAILED,
            "the link no longer works (revoked, or SECRET_KEY changed since it was made)",
        )
    elif used:
        _settle(message, MessageStatus.CANCELLED, "answered before it was sent")
    else:
        return Outgoing(
            message.id,
            message.kind,
            person.address,
            person.language,
            person.link_seed,
            rnd.association_id,
            rnd.association.name,
            rnd.label,
            rnd.closes_on,
            definition_of(rnd.questionnaire).minutes,
        )
    return None


def _settle(message: models.MailMessage, status: str, reason: str | None) -> None:
    message.status = status
    message.last_error = reason


def sent(session: Session, message_id: int, now: dt.datetime) -> None:
    with transaction(session):
        message = _fresh(session, message_id)
        if message is not None:  # the round may have closed meanwhile
            message.status, message.sent_at, message.last_error = MessageStatus.SENT, now, None


def failed(
    session: Session, message_id: int, reason: str, now: dt.datetime, *, temporary: bool
) -> str:
    """Record a failed attempt: a temporary one is tried again after a back-off, until
    MAX_ATTEMPTS; returns the status it is left in."""
    with transaction(session):
        message = _fresh(session, message_id)
        if message is None:
            return MessageStatus.CANCELLED
        message.last_error = reason[:1000]
        if temporary and message.attempts < MAX_ATTEMPTS:
            message.status = MessageStatus.QUEUED
            message.next_attempt_at = now + backoff(message.attempts)
        else:
            message.status = MessageStatus.FAILED
            if temporary:
                message.last_error = f"gave up after {message.attempts} attempts: {reason}"[:1000]
        return message.status


def interrupted(session: Session, message_id: int, reason: str) -> None:
    with transaction(session):
        message = _fresh(session, message_id)
        if message is not None:
            _settle(message, MessageStatus.INTERRUPTED, reason[:1000])


def _fresh(session: Session, message_id: int) -> models.MailMessage | None:
    """The message as stored now (None once its round closed and took it along), not the
    copy the session kept from the claim."""
    return session.get(models.MailMessage, message_id, populate_existing=True)


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failed attempt, at most an hour."""
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)
