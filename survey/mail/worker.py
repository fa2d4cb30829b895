"""Working off the outbox: `survey mail send` runs one pass, `--watch` runs passes until
it is told to stop. Each message is claimed (committed) before the SMTP server hears of
it and marked after, so a restart never sends it again (survey/mail/outbox.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from sqlalchemy.orm import Session

from survey.db.audit import utcnow
from survey.db.models import MessageStatus
from survey.errors import MailRefused
from survey.mail import compose, heartbeat, outbox, texts
from survey.mail.smtp import Connection, SendFailed, Uncertain
from survey.settings import Settings


@dataclass
class Pass:
    """What one pass did: messages by the status they were left in, and why it stopped
    early (the server could not be reached), if it did."""

    counts: Counter[str] = field(default_factory=Counter)
    stopped: str | None = None
    scheduled: str = ""  # what the rounds' schedules did first (survey/services/scheduling)

    def __str__(self) -> str:
        done = ", ".join(f"{n} {status}" for status, n in sorted(self.counts.items()))
        return (
            (f"{self.scheduled}; " if self.scheduled else "")
            + (done or "nothing to send")
            + (f"; stopped: {self.stopped}" if self.stopped else "")
        )


def ready(settings: Settings) -> None:
    """Refuse to send where a message could not be right: no server, no sender, or links
    that would point at this computer."""
    needed = {
        "MAIL_HOST": settings.mail_host,
        "MAIL_SENDER": settings.mail_sender,
        "PUBLIC_URL": settings.public_url_set,  # else the links would point at this computer
    }
    for key, value in needed.items():
        if not value:
            raise MailRefused(
                "not_configured",
                f"{key} is not set, so nothing can be sent; the messages wait in the queue "
                "(README, E-mail invitations and reminders)",
                missing=key,
            )


def send_due(
    session: Session,
    settings: Settings,
    *,
    clock: Callable[[], dt.datetime] = utcnow,
    stop: Callable[[], bool] = lambda: False,
) -> Pass:
    """Send every message that is due, one at a time, until none is left, the server is
    unreachable (the rest wait for the next pass) or `stop()` says so."""
    ready(settings)
    done = Pass()
    outbox.tidy(session, clock())
    with Connection(settings) as smtp:
        while not stop():
            outgoing = outbox.claim_next(session, settings.secret_key, clock())
            if outgoing is None:
                break
            text = texts.texts_of(session, outgoing.association_id)[
                (outgoing.kind, outgoing.language)
            ]
            session.rollback()  # end the read: nothing is held while the server is slow
            try:
                smtp.send(_compose(outgoing, text, settings))
            except Uncertain as exc:
                outbox.interrupted(session, outgoing.message_id, str(exc))
                done.counts[MessageStatus.INTERRUPTED] += 1
            except SendFailed as exc:
                status = outbox.failed(
                    session, outgoing.message_id, exc.reason, clock(), temporary=exc.temporary
                )
                done.counts["retry" if status == MessageStatus.QUEUED else status] += 1
                if exc.connection:
                    done.stopped = exc.reason
                    break
            else:
                outbox.sent(session, outgoing.message_id, clock())
                done.counts[MessageStatus.SENT] += 1
    heartbeat.beat(session, clock(), str(done))  # the mail page's "is mail being sent"
    return done


def _compose(outgoing: outbox.Outgoing, text: texts.Text, settings: Settings) -> EmailMessage:
    """The message, or a failure to record: a header the e-mail library refuses (a line
    break in a förbund's name, say) must fail that message, not stop the worker."""
    try:
        return compose.message(outgoing, text, settings)
    except ValueError as exc:
        raise SendFailed(f"the message could not be made: {exc}", temporary=False) from None
