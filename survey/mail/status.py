"""What an administrator sees of a round's e-mail: how many addresses, messages by kind and
status, and each failure with its reason. Never who answered: only counts, and failures
(which a person must act on) by address."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.db import models
from survey.db.models import MessageStatus

#: Failures worth an administrator's attention, by address.
SHOWN_FAILURES = (MessageStatus.FAILED, MessageStatus.INTERRUPTED)


@dataclass(frozen=True)
class Failure:
    address: str
    kind: str
    status: str
    attempts: int
    reason: str
    at: dt.datetime | None


@dataclass
class MailStatus:
    addresses: int = 0
    by_language: Counter[str] = field(default_factory=Counter)
    #: (kind, status) → messages; "retry" for queued messages that failed before.
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    #: Messages waiting after a temporary failure: the next attempt and the last error.
    retrying: list[tuple[str, dt.datetime, str]] = field(default_factory=list)


def mail_status(session: Session, round_id: int) -> MailStatus:
    result = MailStatus()
    for language, n in session.execute(
        select(models.MailRecipient.language, func.count())
        .filter_by(round_id=round_id)
        .group_by(models.MailRecipient.language)
    ):
        result.by_language[language] = n
        result.addresses += n
    msg = models.MailMessage
    rows = session.execute(
        select(
            msg.kind,
            msg.status,
            msg.attempts,
            msg.last_error,
            msg.next_attempt_at,
            msg.claimed_at,
            models.MailRecipient.address,
        )
        .join(models.MailRecipient, models.MailRecipient.id == msg.recipient_id)
        .where(msg.round_id == round_id)
        .order_by(msg.id)
    )
    for kind, status, attempts, error, next_at, claimed, address in rows:
        retry = status == MessageStatus.QUEUED and attempts > 0
        result.counts[(kind, "retry" if retry else status)] += 1
        if retry:
            result.retrying.append((kind, next_at, error or ""))
        if status in SHOWN_FAILURES:
            result.failures.append(Failure(address, kind, status, attempts, error or "", claimed))
    return result
