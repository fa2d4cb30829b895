"""The mail worker's last sign of life: each pass writes when it ran and what it did (one
row), so the mail page can say whether mail is being sent, and what to do when it is not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.db import models
from survey.db.engine import transaction

#: A worker seen within this long is taken to be running (`--watch` looks every 10 s; a
#: pass that sends hundreds of messages takes a few minutes).
ALIVE_WITHIN = dt.timedelta(minutes=5)
ROW = 1


@dataclass(frozen=True)
class Beat:
    seen_at: dt.datetime
    last_pass: str

    def alive(self, now: dt.datetime) -> bool:
        return now - self.seen_at <= ALIVE_WITHIN

    def minutes_ago(self, now: dt.datetime) -> int:
        return max(0, int((now - self.seen_at).total_seconds() // 60))


def beat(session: Session, now: dt.datetime, last_pass: str) -> None:
    """Record a pass (its own unit of work: the worker holds none between messages)."""
    try:
        with transaction(session):
            row = session.get(models.MailWorkerBeat, ROW)
            if row is None:
                session.add(models.MailWorkerBeat(id=ROW, seen_at=now, last_pass=last_pass[:200]))
            else:
                row.seen_at, row.last_pass = now, last_pass[:200]
    except IntegrityError:
        pass  # a second worker wrote the first beat at the same moment: it is recorded


def last(session: Session) -> Beat | None:
    row = session.get(models.MailWorkerBeat, ROW)
    return Beat(row.seen_at, row.last_pass) if row else None
